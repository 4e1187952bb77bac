'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { StateBadge } from '@/components/propagation/state-badge';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { Table, Td, Tr, SkeletonRows } from '@/components/ui/table';
import { duration, exactTime, timeAgo } from '@/lib/format-time';
import type { FleetPage } from '@/lib/propagation/fleet-status';
import { fleetPropagationQuery, type FleetFilters } from '@/lib/query/propagation';
import { useScopeStream } from '@/lib/query/propagation-streams';

export const FLEET_PAGE_SIZE = 50;

const count = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** "3 apps not in sync, oldest behind for 42 s": the line support reads first. */
function summaryLine(data: FleetPage): string {
  if (data.total === 0) return 'No apps yet.';
  if (data.notInSync === 0)
    return `All ${count(data.total, 'app', 'apps')} in sync in every region.`;
  const oldest =
    data.oldestBehindMs != null ? `, oldest behind for ${duration(data.oldestBehindMs)}` : '';
  return `${count(data.notInSync, 'app', 'apps')} of ${data.total.toLocaleString('en')} not in sync${oldest}.`;
}

function pageHref(filters: FleetFilters, offset: number): string {
  const params = new URLSearchParams();
  for (const key of ['tenant', 'state', 'region'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (offset > 0) params.set('offset', String(offset));
  const qs = params.toString();
  return qs ? `/fleet?${qs}` : '/fleet';
}

function Pager({ data, filters }: { data: FleetPage; filters: FleetFilters }) {
  if (data.matching <= data.limit && data.offset === 0) return null;
  const first = data.offset + 1;
  const last = data.offset + data.apps.length;
  const previous = Math.max(0, data.offset - data.limit);
  const next = data.offset + data.limit;
  return (
    <nav
      aria-label="Fleet pages"
      className="flex items-center justify-between border-t border-slate-200 px-5 py-3 text-sm text-slate-600"
    >
      <span>
        Showing {first.toLocaleString('en')}–{last.toLocaleString('en')} of{' '}
        {count(data.matching, 'app', 'apps')}
      </span>
      <span className="flex gap-2">
        {data.offset > 0 && (
          <Link href={pageHref(filters, previous)} className={buttonClasses('ghost')}>
            Previous page
          </Link>
        )}
        {next < data.matching && (
          <Link href={pageHref(filters, next)} className={buttonClasses('ghost')}>
            Next page
          </Link>
        )}
      </span>
    </nav>
  );
}

/**
 * One page of the apps the filters select, in every region, live: the server pages and orders
 * (apps with a region not in sync first) from its status observer; the scope stream's rows
 * change the rows shown at once, and the page is read again when rows may have moved
 * (lib/query/propagation-streams.ts); polling only while the stream is down.
 */
export function FleetTable({ filters }: { filters: FleetFilters }) {
  const stream = useScopeStream();
  const { data, error, isPending } = useQuery(fleetPropagationQuery(filters, stream));
  const filtered = Boolean(filters.tenant || filters.state || filters.region);
  // During a migration the regions of two deployments are listed: each column says which.
  const multiDeployment = new Set(data?.regions.map((r) => r.deployment)).size > 1;
  const unreachable = data?.regions.filter((r) => !r.reachable) ?? [];
  return (
    <Card>
      <CardHeader
        title="Apps across all tenants"
        description={
          data ? (
            <>
              <strong className="font-semibold text-slate-800">{summaryLine(data)}</strong>{' '}
              {filtered && `${count(data.matching, 'app matches', 'apps match')} the filters · `}
              {stream === 'down' ? (
                <span className="text-amber-700">
                  live updates interrupted; checking every few seconds
                </span>
              ) : (
                'live'
              )}
            </>
          ) : (
            'Checking every region…'
          )
        }
      />
      <p aria-live="polite" className="sr-only">
        {data ? summaryLine(data) : ''}
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
        <Table
          caption="Apps and their state in each region"
          columns={[
            'App',
            'Tenant',
            'Head',
            ...(data?.regions.map((r) => (
              <>
                {r.name}
                {multiDeployment && (
                  <span className="block text-xs font-normal text-slate-500">{r.deployment}</span>
                )}
              </>
            )) ?? []),
          ]}
        >
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
                  <Td key={`${r.deployment}/${r.name}`}>
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
      {data && <Pager data={data} filters={filters} />}
    </Card>
  );
}
