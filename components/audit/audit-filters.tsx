import Link from 'next/link';
import type { ComponentProps, ReactNode } from 'react';
import { buttonClasses } from '@/components/ui/button';
import { choicesOf, Field, Input, Options, Select, type Choice } from '@/components/ui/field';
import { auditActionLabels, auditActions } from '@/lib/schemas/audit';
import type { FieldErrors } from '@/lib/schemas/issues';

type Values = Record<string, string | undefined>;

const actionChoices = [
  { value: '', label: 'All actions' },
  ...choicesOf(auditActions, auditActionLabels),
];

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

/**
 * A text filter that suggests the apps or people on the page shown; any other value still
 * filters.
 */
function SuggestInput({
  suggestions,
  ...props
}: ComponentProps<typeof Input> & { id: string; suggestions: Choice[] }) {
  const listId = `${props.id}-options`;
  return (
    <>
      <Input {...props} list={listId} />
      <datalist id={listId}>
        {suggestions.map((o) => (
          <option key={o.value} value={o.value} label={o.label} />
        ))}
      </datalist>
    </>
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
  apps: Choice[];
  actors: Choice[];
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
        {(props) => <SuggestInput {...props} placeholder="All apps" suggestions={apps} />}
      </FilterField>
      <FilterField name="user" label="Who (email or token)" {...field}>
        {(props) => <SuggestInput {...props} placeholder="Anyone" suggestions={actors} />}
      </FilterField>
      <FilterField name="action" label="Action" {...field}>
        {(props) => (
          <Select {...props}>
            <Options choices={actionChoices} />
          </Select>
        )}
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
