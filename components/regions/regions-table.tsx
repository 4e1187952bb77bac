'use client';

import { useQuery } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader, ErrorState } from '@/components/ui/card';
import { Table, Td, Tr, SkeletonRows } from '@/components/ui/table';
import { duration } from '@/lib/format-time';
import { useScopeStream } from '@/lib/query/propagation-streams';
import { REGIONS_POLL_MS, regionsQuery } from '@/lib/query/regions';
import type { RegionHealth } from '@/lib/regions-health/region-health';

function StateBadge({ region }: { region: RegionHealth }) {
  if (!region.reachable)
    return (
      <Badge tone="danger" dot>
        Unreachable
      </Badge>
    );
  if (region.role === 'replica' && region.linkUp === false)
    return (
      <Badge tone="warning" dot>
        Replication down
      </Badge>
    );
  return (
    <Badge tone="success" dot>
      Healthy
    </Badge>
  );
}

function detail(region: RegionHealth): string {
  if (!region.reachable) {
    const since =
      region.unreachableSince != null
        ? ` for ${duration(Math.max(0, region.checkedAt - region.unreachableSince))}`
        : '';
    return `Has not answered${since}: ${region.error ?? 'no reply'}.`;
  }
  if (region.role === 'primary') {
    return `Accepts writes; ${region.connectedReplicas ?? 0} replica${region.connectedReplicas === 1 ? '' : 's'} connected.`;
  }
  if (region.linkUp === false) {
    return region.linkDownSinceSeconds != null
      ? `Serving reads, but cut off from the primary for ${duration(region.linkDownSinceSeconds * 1000)}: new versions cannot arrive.`
      : 'Serving reads, but cut off from the primary: new versions cannot arrive.';
  }
  return 'Serving reads and receiving changes from the primary.';
}

/** Every region's health from the server's status observer, pushed after each of its scans. */
export function RegionsTable() {
  const stream = useScopeStream();
  const { data, error, isPending } = useQuery(regionsQuery(stream));
  const checkedAt = data?.regions[0]?.checkedAt;
  // During a migration two deployments are live: each region says which one it belongs to.
  const multiDeployment = new Set(data?.regions.map((r) => r.deployment)).size > 1;
  return (
    <Card>
      <CardHeader
        title="Regions"
        description={
          checkedAt ? (
            <>
              {stream === 'down' ? (
                <span className="text-amber-700">
                  Live updates interrupted; checking every {duration(REGIONS_POLL_MS)}
                </span>
              ) : (
                'Live'
              )}{' '}
              · last check {new Date(checkedAt).toLocaleTimeString()}
            </>
          ) : (
            'Checking…'
          )
        }
      />
      {error && <ErrorState title="Could not load region health">{error.message}</ErrorState>}
      <Table
        caption="Cache regions and their health"
        columns={['Region', 'Role', 'State', 'Round trip', 'Details']}
      >
        <tbody>
          {isPending && <SkeletonRows columns={5} />}
          {data?.regions.map((region) => (
            <Tr key={`${region.deployment ?? ''}/${region.name}`}>
              <Td className="font-medium text-slate-900">
                {region.name}
                {multiDeployment && (
                  <span className="block text-xs font-normal text-slate-500">
                    {region.deployment}
                    {region.active ? ' · services read from it' : ' · migration target or source'}
                  </span>
                )}
              </Td>
              <Td>{region.role === 'primary' ? 'Primary' : 'Read replica'}</Td>
              <Td>
                <StateBadge region={region} />
              </Td>
              <Td className="tabular-nums">
                {region.roundTripMs != null ? duration(region.roundTripMs) : '—'}
              </Td>
              <Td className="text-slate-600">{detail(region)}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}
