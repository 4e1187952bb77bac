import Link from 'next/link';
import { Button, buttonClasses } from '@/components/ui/button';
import { Field, Select } from '@/components/ui/field';
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
}: {
  filters: Filters;
  tenants: { id: string; name: string }[];
  regions: string[];
}) {
  return (
    <form
      method="get"
      action="/fleet"
      className="mb-6 flex flex-wrap items-end gap-4"
      aria-label="Filter the fleet"
    >
      <Field id="fleet-tenant" label="Tenant" className="w-56">
        <Select id="fleet-tenant" name="tenant" defaultValue={filters.tenant ?? ''}>
          <option value="">All tenants</option>
          {tenants.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="fleet-state" label="State" className="w-48">
        <Select id="fleet-state" name="state" defaultValue={filters.state ?? ''}>
          <option value="">Any state</option>
          {regionStates.map((s) => (
            <option key={s} value={s}>
              {stateLabels[s]}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="fleet-region" label="Region" className="w-48">
        <Select id="fleet-region" name="region" defaultValue={filters.region ?? ''}>
          <option value="">Every region</option>
          {regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </Field>
      <div className="flex items-center gap-2">
        <Button type="submit">Apply filters</Button>
        <Link href="/fleet" className={buttonClasses('ghost')}>
          Clear
        </Link>
      </div>
    </form>
  );
}
