'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { StateBadge } from '@/components/propagation/state-badge';
import { Card, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { Table, Td, Th, Tr, SkeletonRows } from '@/components/ui/table';
import { exactTime, timeAgo } from '@/lib/format-time';
import { fleetPropagationQuery, type FleetFilters } from '@/lib/query/propagation';

/** Every app the filters select, in every region, live; apps with a region not in sync first. */
export function FleetTable({ filters }: { filters: FleetFilters }) {
  const { data, error, isPending } = useQuery(fleetPropagationQuery(filters));
  const filtered = Boolean(filters.tenant || filters.state || filters.region);
  const unreachable = data?.regions.filter((r) => !r.reachable) ?? [];
  return (
    <Card>
      <CardHeader
        title="Apps across all tenants"
        description={
          data
            ? `${data.total} apps · ${data.notInSync} with a region not in sync · ${
                filtered ? `${data.matching} match the filters · ` : ''
              }checked live`
            : 'Checking every region…'
        }
      />
      <p aria-live="polite" className="sr-only">
        {data ? `${data.notInSync} apps have a region not in sync.` : ''}
      </p>
      {error && (
        <ErrorState title="Could not load the fleet">{error.message} We keep trying.</ErrorState>
      )}
      {unreachable.length > 0 && (
        <ErrorState title={`${unreachable.map((r) => r.name).join(', ')} did not answer`}>
          Apps in {unreachable.length === 1 ? 'that region' : 'those regions'} show as unreachable
          until it answers again; services there keep serving what they last read.
        </ErrorState>
      )}
      {data && data.apps.length === 0 ? (
        <EmptyState title={filtered ? 'No app matches these filters' : 'No apps yet'}>
          {filtered ? 'Clear a filter to see more.' : 'Apps appear here once a tenant has one.'}
        </EmptyState>
      ) : (
        <Table caption="Apps and their state in each region">
          <thead>
            <tr>
              <Th>App</Th>
              <Th>Tenant</Th>
              <Th>Head</Th>
              {data?.regions.map((r) => (
                <Th key={r.name}>{r.name}</Th>
              ))}
            </tr>
          </thead>
          <tbody>
            {isPending && <SkeletonRows rows={5} columns={7} />}
            {data?.apps.map((app) => (
              <Tr key={app.appId} className={app.behind > 0 ? 'bg-amber-50/40' : undefined}>
                <Td>
                  <Link
                    href={`/apps/${app.appId}`}
                    className="font-medium text-brand-700 hover:underline"
                  >
                    {app.name}
                  </Link>
                </Td>
                <Td>{app.tenantId}</Td>
                <Td className="whitespace-nowrap tabular-nums">
                  {app.headVersion != null ? `v${app.headVersion}` : '—'}
                  {app.committedAt != null && (
                    <span className="block text-xs text-slate-500">
                      <time
                        dateTime={new Date(app.committedAt).toISOString()}
                        title={exactTime(app.committedAt)}
                      >
                        {timeAgo(app.committedAt, data.checkedAt)}
                      </time>
                    </span>
                  )}
                </Td>
                {app.regions.map((r) => (
                  <Td key={r.name}>
                    <StateBadge state={r.state} />
                    <span className="mt-0.5 block text-xs text-slate-500 tabular-nums">
                      {r.version != null ? `serves v${r.version}` : 'no copy'}
                    </span>
                  </Td>
                ))}
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      {data && data.matching > data.apps.length && (
        <p className="border-t border-slate-200 px-5 py-3 text-sm text-slate-600">
          Showing the first {data.apps.length} of {data.matching} apps; narrow the list with the
          filters.
        </p>
      )}
    </Card>
  );
}
