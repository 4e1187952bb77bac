import Link from 'next/link';
import type { ReactNode } from 'react';
import { buttonClasses } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { auditActionLabels, auditActions } from '@/lib/schemas/audit';
import type { FieldErrors } from '@/lib/schemas/issues';

export interface FilterOption {
  value: string;
  label: string;
}

type Values = Record<string, string | undefined>;

const actionOptions: FilterOption[] = auditActions.map((a) => ({
  value: a,
  label: auditActionLabels[a],
}));

function FilterField({
  name,
  label,
  values,
  errors,
  children,
}: {
  name: string;
  label: string;
  values: Values;
  errors: FieldErrors;
  children: (props: {
    id: string;
    name: string;
    defaultValue: string;
    invalid: boolean;
  }) => ReactNode;
}) {
  const id = `audit-${name}`;
  const error = errors[name]?.[0];
  return (
    <Field id={id} label={label} error={error}>
      {children({ id, name, defaultValue: values[name] ?? '', invalid: !!error })}
    </Field>
  );
}

function choices(all: string, options: FilterOption[]) {
  return [{ value: '', label: all }, ...options].map((o) => (
    <option key={o.value} value={o.value}>
      {o.label}
    </option>
  ));
}

/** The apps and people on the page shown: typing suggests them, any other value still filters. */
function Suggestions({ id, options }: { id: string; options: FilterOption[] }) {
  return (
    <datalist id={id}>
      {options.map((o) => (
        <option key={o.value} value={o.value} label={o.label} />
      ))}
    </datalist>
  );
}

/**
 * A plain GET form: the filters live in the URL, so a filtered view can be bookmarked or shared,
 * and it works before any JavaScript has loaded.
 */
export function AuditFilters({
  values,
  errors,
  apps,
  actors,
}: {
  values: Values;
  errors: FieldErrors;
  apps: FilterOption[];
  actors: FilterOption[];
}) {
  const field = { values, errors };
  return (
    <form
      method="get"
      action="/audit"
      aria-label="Filter the audit log"
      className="grid gap-4 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto] lg:items-start"
    >
      <FilterField name="app" label="App id" {...field}>
        {(props) => (
          <>
            <Input {...props} list="audit-app-options" placeholder="All apps" />
            <Suggestions id="audit-app-options" options={apps} />
          </>
        )}
      </FilterField>
      <FilterField name="user" label="Who (email or token)" {...field}>
        {(props) => (
          <>
            <Input {...props} list="audit-user-options" placeholder="Anyone" />
            <Suggestions id="audit-user-options" options={actors} />
          </>
        )}
      </FilterField>
      <FilterField name="action" label="Action" {...field}>
        {(props) => <Select {...props}>{choices('All actions', actionOptions)}</Select>}
      </FilterField>
      <FilterField name="from" label="From (UTC)" {...field}>
        {(props) => <Input type="date" {...props} />}
      </FilterField>
      <FilterField name="to" label="To (UTC)" {...field}>
        {(props) => <Input type="date" {...props} />}
      </FilterField>
      <div className="flex gap-2 lg:mt-6">
        <button type="submit" className={buttonClasses('primary')}>
          Apply filters
        </button>
        <Link href="/audit" className={buttonClasses('ghost')}>
          Clear
        </Link>
      </div>
    </form>
  );
}
