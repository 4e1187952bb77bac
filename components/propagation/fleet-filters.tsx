import Link from 'next/link';
import { Button, buttonClasses } from '@/components/ui/button';
import { SelectField } from '@/components/ui/field';
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
      <SelectField
        id="fleet-tenant"
        label="Tenant"
        fieldClassName="w-56"
        name="tenant"
        defaultValue={filters.tenant ?? ''}
      >
        <option value="">All tenants</option>
        {tenants.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        id="fleet-state"
        label="State"
        fieldClassName="w-48"
        name="state"
        defaultValue={filters.state ?? ''}
      >
        <option value="">Any state</option>
        {regionStates.map((s) => (
          <option key={s} value={s}>
            {stateLabels[s]}
          </option>
        ))}
      </SelectField>
      <ListFilter
        name="region"
        label="Region"
        all="Every region"
        value={filters.region}
        options={regions}
      />
      {deployments.length > 1 && (
        <ListFilter
          name="deployment"
          label="Cache deployment"
          all="Every deployment"
          value={filters.deployment}
          options={deployments}
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

/** A select over plain names, the first option meaning "no filter". */
function ListFilter({
  name,
  label,
  all,
  value,
  options,
}: {
  name: string;
  label: string;
  all: string;
  value: string | undefined;
  options: string[];
}) {
  return (
    <SelectField
      id={`fleet-${name}`}
      label={label}
      fieldClassName="w-48"
      name={name}
      defaultValue={value ?? ''}
    >
      <option value="">{all}</option>
      {options.map((option) => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </SelectField>
  );
}
