import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { FleetFilters } from '@/components/propagation/fleet-filters';
import { FLEET_PAGE_SIZE, FleetTable } from '@/components/propagation/fleet-table';
import { LatencyChart } from '@/components/propagation/latency-chart';
import { ErrorState } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';
import { listTenants } from '@/lib/db/tenants';
import { liveRegions } from '@/lib/propagation/read-status';
import { fleetQuerySchema } from '@/lib/schemas/propagation';
import type { FleetFilters as Filters } from '@/lib/query/propagation';

export const metadata: Metadata = { title: 'Fleet' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const single = (value: string | string[] | undefined) =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Support's view of every app of every tenant; to anyone else the page does not exist. */
export default async function FleetPage({ searchParams }: Props) {
  const user = await requirePageUser();
  if (!can(user, 'fleet:read')) notFound();
  const raw = await searchParams;
  const parsed = fleetQuerySchema.safeParse({
    tenant: single(raw.tenant),
    state: single(raw.state),
    region: single(raw.region),
    deployment: single(raw.deployment),
    offset: single(raw.offset),
  });
  const filters: Filters = parsed.success
    ? {
        tenant: parsed.data.tenant,
        state: parsed.data.state,
        region: parsed.data.region,
        deployment: parsed.data.deployment,
        offset: parsed.data.offset || undefined,
        limit: FLEET_PAGE_SIZE,
      }
    : { limit: FLEET_PAGE_SIZE };
  const [tenants, live] = await Promise.all([listTenants(), liveRegions()]);
  return (
    <>
      <PageHeader
        title="Fleet"
        description="Every app of every tenant, in every region, live. Apps with a region not in sync come first."
      />
      <FleetFilters
        filters={filters}
        tenants={tenants.map((t) => ({ id: t._id, name: t.name }))}
        regions={[...new Set(live.map((r) => r.name))]}
        deployments={[...new Set(live.map((r) => r.deployment))]}
      />
      {!parsed.success && (
        <div className="mb-6">
          <ErrorState title="Those filters are not valid">Showing every app instead.</ErrorState>
        </div>
      )}
      <div className="space-y-6">
        <FleetTable filters={filters} />
        <LatencyChart />
      </div>
    </>
  );
}
