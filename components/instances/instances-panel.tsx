'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Card, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { Table, Td, Tr, SkeletonRows } from '@/components/ui/table';
import { TimeAgo } from '@/components/ui/time-ago';
import { cn } from '@/lib/cn';
import { duration } from '@/lib/format-time';
import type { AppInstancesView } from '@/lib/instances/app-instances';
import type { InstanceRow, RegionInstances } from '@/lib/instances/summarize';
import { appInstancesQuery } from '@/lib/query/app-instances';

function regionBadge(
  region: RegionInstances,
  head: AppInstancesView['head'],
): { tone: BadgeTone; label: string } {
  const stopped = region.instances.length - region.live;
  if (region.live === 0) {
    return { tone: 'neutral', label: stopped > 0 ? 'None reporting' : 'No servers' };
  }
  const label =
    head === null
      ? `${region.live} reporting`
      : head.archived
        ? `${region.onHead}/${region.live} stopped serving`
        : `${region.onHead}/${region.live} on v${head.version}`;
  if (region.instances.some((i) => i.state === 'diverged')) return { tone: 'danger', label };
  return { tone: region.onHead === region.live ? 'success' : 'warning', label };
}

function InstanceLine({ row, view }: { row: InstanceRow; view: AppInstancesView }) {
  const name = (
    <span
      className={cn(
        'font-mono text-xs',
        row.state === 'stopped' ? 'text-slate-400' : 'text-slate-900',
      )}
    >
      {row.instanceId}
    </span>
  );
  if (row.state === 'stopped') {
    return (
      <li className="text-slate-400">
        {name} stopped reporting · last seen <TimeAgo date={row.reportedAt} /> on v{row.version}
      </li>
    );
  }
  if (row.state === 'diverged') {
    const why =
      view.head && row.version === view.head.version
        ? 'with different content than Propagate committed'
        : 'a version Propagate never committed';
    return (
      <li>
        {name} holds v{row.version}, {why}: <span className="text-red-700">needs attention</span>
      </li>
    );
  }
  const behindFor =
    row.behindSince !== null ? duration(Math.max(0, view.checkedAt - row.behindSince)) : null;
  if (row.gone) {
    return (
      <li>
        {name} reports the app as gone: it stopped serving it <TimeAgo date={row.appliedAt} />
      </li>
    );
  }
  return (
    <li>
      {name} holds v{row.version}
      {row.state === 'behind' && behindFor && (
        <span className="text-amber-800"> · behind for {behindFor}</span>
      )}
      {row.stalenessMs > 0 && (
        <span className="text-slate-500">
          {' '}
          · cannot confirm it is current for {duration(row.stalenessMs)}
        </span>
      )}
    </li>
  );
}

function RegionDetails({ region, view }: { region: RegionInstances; view: AppInstancesView }) {
  if (region.instances.length === 0)
    return <span className="text-slate-500">No servers reporting.</span>;
  // Servers that stopped serving an archived app are worth a line each: that is what matters.
  const quiet = (i: InstanceRow) => i.state === 'current' && i.stalenessMs === 0 && !i.gone;
  const notable = region.instances.filter((i) => !quiet(i));
  const current = region.instances.filter(quiet);
  return (
    <div className="space-y-1">
      {notable.length > 0 && (
        <ul className="space-y-1">
          {notable.map((row) => (
            <InstanceLine key={row.instanceId} row={row} view={view} />
          ))}
        </ul>
      )}
      {current.length > 0 && (
        <details className="text-slate-600">
          <summary className="cursor-pointer rounded select-none focus-visible:outline-2 focus-visible:outline-brand-500">
            {current.length} {current.length === 1 ? 'server' : 'servers'} on the current version
          </summary>
          <ul className="mt-1 space-y-1 pl-4">
            {current.map((row) => (
              <li key={row.instanceId}>
                <span className="font-mono text-xs text-slate-900">{row.instanceId}</span> since{' '}
                <TimeAgo date={row.appliedAt} />
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function liveSummary(view: AppInstancesView): string {
  const live = view.regions.reduce((n, r) => n + r.live, 0);
  const onHead = view.regions.reduce((n, r) => n + r.onHead, 0);
  if (!view.head || live === 0) return 'No servers are reporting.';
  if (view.head.archived) return `${onHead} of ${live} servers report the app as gone.`;
  return `${onHead} of ${live} servers hold version ${view.head.version}.`;
}

/**
 * Which version each service instance holds, per region, live. Services report through the
 * config client; a server that stops reporting stays listed, greyed, until it is forgotten.
 */
export function InstancesPanel({ appId, headVersion }: { appId: string; headVersion: number }) {
  const queryClient = useQueryClient();
  const { data, error, isPending } = useQuery(appInstancesQuery(appId));

  // A save re-renders the page with a new head: ask at once instead of at the next poll.
  const seenHead = useRef(headVersion);
  useEffect(() => {
    if (seenHead.current === headVersion) return;
    seenHead.current = headVersion;
    void queryClient.invalidateQueries({ queryKey: appInstancesQuery(appId).queryKey });
  }, [appId, headVersion, queryClient]);

  const noServers = data?.reportsAvailable && data.regions.every((r) => r.instances.length === 0);
  return (
    <Card>
      <CardHeader
        title="Servers"
        description="The version each service instance holds in memory, as its config client reports it."
      />
      {error && <ErrorState title="Could not load the servers">{error.message}</ErrorState>}
      {data && !data.reportsAvailable && (
        <ErrorState title="Server reports can’t be read right now">
          The primary cache did not answer. Servers keep serving their last good configuration
          meanwhile.
        </ErrorState>
      )}
      {data && (
        <p className="sr-only" aria-live="polite">
          {liveSummary(data)}
        </p>
      )}
      {noServers ? (
        <EmptyState title="No servers have reported yet">
          Services that read this app through the Propagate config client appear here seconds after
          they load it.
        </EmptyState>
      ) : (
        <Table
          caption="Service instances per region and the version they hold"
          columns={['Region', 'Servers', 'Details']}
        >
          <tbody>
            {isPending && <SkeletonRows rows={3} columns={3} />}
            {data?.regions.map((region) => {
              const badge = regionBadge(region, data.head);
              return (
                <Tr key={region.region}>
                  <Td className="font-medium whitespace-nowrap text-slate-900">{region.region}</Td>
                  <Td>
                    <Badge tone={badge.tone} dot>
                      {badge.label}
                    </Badge>
                  </Td>
                  <Td>
                    <RegionDetails region={region} view={data} />
                  </Td>
                </Tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
