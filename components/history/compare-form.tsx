import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/field';

function VersionSelect(props: { name: string; label: string; versions: number[]; value: number }) {
  const id = `compare-${props.name}`;
  return (
    <SelectField id={id} label={props.label} name={props.name} defaultValue={props.value}>
      {props.versions.map((v) => (
        <option key={v} value={v}>
          v{v}
        </option>
      ))}
    </SelectField>
  );
}

/** A plain GET form: the comparison lives in the URL (?from=3&to=7), so it can be shared. */
export function CompareForm({
  action,
  versions,
  from,
  to,
}: {
  action: string;
  versions: number[];
  from: number;
  to: number;
}) {
  return (
    <form action={action} method="get" className="flex flex-wrap items-end gap-3">
      <VersionSelect name="from" label="Compare" versions={versions} value={from} />
      <VersionSelect name="to" label="with" versions={versions} value={to} />
      <Button type="submit" variant="secondary">
        Show differences
      </Button>
    </form>
  );
}
