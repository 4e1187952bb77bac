import Link from 'next/link';
import { Button, buttonClasses } from '@/components/ui/button';
import { choicesOf, Options, SelectField, type Choice } from '@/components/ui/field';
import { regionStates, stateLabels } from '@/lib/model/region-states';
import type { FleetFilters as Filters } from '@/lib/query/propagation';

/**
 * A plain GET form: the filters live in the URL, so a filtered view can be shared and reloaded,
 * and it works before any script has loaded.
 */
export function FleetFilters({
  filters,
  tenants,
  regions,
  deployments,
}: {
  filters: Filters;
  tenants: { id: string; name: string }[];
  regions: string[];
  /** Cache deployments whose status is shown (two during a migration). */
  deployments: string[];
}) {
  return (
    <form
      method="get"
      action="/fleet"
      className="mb-6 flex flex-wrap items-end gap-4"
      aria-label="Filter the fleet"
    >
      <ListFilter
        name="tenant"
        label="Tenant"
        all="All tenants"
        value={filters.tenant}
        choices={tenants.map((t) => ({ value: t.id, label: t.name }))}
        width="w-56"
      />
      <ListFilter
        name="state"
        label="State"
        all="Any state"
        value={filters.state}
        choices={choicesOf(regionStates, stateLabels)}
      />
      <ListFilter
        name="region"
        label="Region"
        all="Every region"
        value={filters.region}
        choices={choicesOf(regions)}
      />
      {deployments.length > 1 && (
        <ListFilter
          name="deployment"
          label="Cache deployment"
          all="Every deployment"
          value={filters.deployment}
          choices={choicesOf(deployments)}
        />
      )}
      <div className="flex items-center gap-2">
        <Button type="submit">Apply filters</Button>
        <Link href="/fleet" className={buttonClasses('ghost')}>
          Clear
        </Link>
      </div>
    </form>
  );
}

interface ListFilterProps {
  name: string;
  label: string;
  all: string;
  value: string | undefined;
  choices: Choice[];
  width?: string;
}

/** A select whose first option, "all", means no filter. */
function ListFilter({ name, label, all, value, choices, width = 'w-48' }: ListFilterProps) {
  return (
    <SelectField
      id={`fleet-${name}`}
      label={label}
      fieldClassName={width}
      name={name}
      defaultValue={value ?? ''}
    >
      <Options choices={[{ value: '', label: all }, ...choices]} />
    </SelectField>
  );
}
