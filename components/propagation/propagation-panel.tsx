'use client';

import { Fragment } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ForcePushButton } from '@/components/propagation/force-push-button';
import { RetryPushButton } from '@/components/propagation/retry-push-button';
import { SaveTimeline } from '@/components/propagation/save-timeline';
import { StateBadge } from '@/components/propagation/state-badge';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { Table, Td, Tr, SkeletonRows } from '@/components/ui/table';
import { duration, exactTime, timeAgo } from '@/lib/format-time';
import type { AppPropagationStatus, RegionStatus } from '@/lib/propagation/app-status';
import type { StreamState } from '@/lib/query/event-stream';
import { appPropagationQuery, FAST_POLL_MS, SLOW_POLL_MS } from '@/lib/query/propagation';
import { useAppStatusStream } from '@/lib/query/propagation-streams';

const methodNotes: Record<NonNullable<RegionStatus['method']>, string> = {
  pubsub: 'measured when the invalidation message arrived',
  poll: 'measured by polling the region (the message was missed), so an upper bound',
  stamp: 'from the time the primary recorded in the cache entry',
};

function TimeToArrive({ region }: { region: RegionStatus }) {
  if (region.timeToArriveMs == null) {
    return (
      <span className="text-slate-400">{region.state === 'in_sync' ? 'not measured' : '—'}</span>
    );
  }
  return (
    <span title={region.method ? methodNotes[region.method] : undefined}>
      {duration(region.timeToArriveMs)}
      {region.method === 'poll' && <span className="ml-1 text-xs text-slate-500">(by poll)</span>}
    </span>
  );
}

const removed = (status: AppPropagationStatus, region: RegionStatus) =>
  !!status.head?.archived && region.stamp?.version === status.head.version;

/**
 * The regions services read from: the active deployment's, listed first. During a migration the
 * other live deployment's regions follow, shown but not counted in "in sync".
 */
function activeRegions(status: AppPropagationStatus) {
  const active = status.regions[0]?.deployment;
  return status.regions.filter((r) => r.deployment === active);
}

function summary(status: AppPropagationStatus): string {
  const regions = activeRegions(status);
  const total = regions.length;
  if (!status.head) return 'This app has no configuration yet.';
  if (status.head.archived) {
    const gone = status.regions.filter((r) => removed(status, r)).length;
    return gone === total
      ? `Removed from all ${total} regions: services there no longer get this app.`
      : `Removed from ${gone} of ${total} regions so far; the others still serve the last version.`;
  }
  if (status.allInSync) return `All ${total} regions serve v${status.head.version}.`;
  const behind = regions.filter((r) => r.state !== 'in_sync').length;
  return `${behind} of ${total} regions ${behind === 1 ? 'is' : 'are'} not in sync with v${status.head.version} yet.`;
}

/**
 * An archived app's head is a tombstone: a region that holds it has dropped the app from its
 * cache, which people read as "removed", not as a version number.
 */
function RegionServes({ status, region }: { status: AppPropagationStatus; region: RegionStatus }) {
  if (removed(status, region)) return <span className="text-slate-600">Nothing (removed)</span>;
  return <>{region.stamp ? `v${region.stamp.version}` : '—'}</>;
}

function regionDetails(status: AppPropagationStatus, region: RegionStatus): string {
  if (removed(status, region)) {
    return `Removed from ${region.name}’s cache: services there stop serving this app and report it as gone.`;
  }
  if (status.head?.archived && (region.state === 'propagating' || region.state === 'lagging')) {
    return `${region.name} still serves the last version until the removal arrives.`;
  }
  return region.explanation;
}

function RegionRows({ status }: { status: AppPropagationStatus }) {
  const deployments = [...new Set(status.regions.map((r) => r.deployment))];
  if (deployments.length < 2) return <DeploymentRows status={status} regions={status.regions} />;
  return deployments.map((deployment, i) => (
    <Fragment key={deployment}>
      <Tr>
        <Td colSpan={5} className="bg-slate-50 text-xs font-medium text-slate-600">
          Cache deployment “{deployment}”{' '}
          {i === 0 ? '· services read from it' : '· migration: receives every save too'}
        </Td>
      </Tr>
      <DeploymentRows
        status={status}
        regions={status.regions.filter((r) => r.deployment === deployment)}
      />
    </Fragment>
  ));
}

function DeploymentRows({
  status,
  regions,
}: {
  status: AppPropagationStatus;
  regions: AppPropagationStatus['regions'];
}) {
  return regions.map((region) => (
    <Tr key={`${region.deployment}/${region.name}`}>
      <Td className="font-medium whitespace-nowrap text-slate-900">
        {region.name}
        <span className="block text-xs font-normal text-slate-500">
          {region.role === 'primary' ? 'Primary' : 'Read replica'}
        </span>
      </Td>
      <Td>
        <StateBadge state={region.state} />
      </Td>
      <Td className="tabular-nums">
        <RegionServes status={status} region={region} />
      </Td>
      <Td className="tabular-nums">
        <TimeToArrive region={region} />
      </Td>
      <Td className="text-slate-600">{regionDetails(status, region)}</Td>
    </Tr>
  ));
}

/** How fresh the panel is: pushed, or polled while the stream is down (and why it says so). */
function Freshness({ stream, allInSync }: { stream: StreamState; allInSync: boolean }) {
  if (stream !== 'down') return <>live</>;
  return (
    <span className="text-amber-700">
      live updates interrupted; checking every {duration(allInSync ? SLOW_POLL_MS : FAST_POLL_MS)}
    </span>
  );
}

/**
 * Where an app's latest version has reached, region by region, live: every change is pushed
 * over the app's event stream. Only while the stream is down does it poll (every 0.5 s while
 * anything is on its way, every 5 s once all regions agree; paused while the tab is hidden).
 */
export function PropagationPanel({
  appId,
  canRetry,
  canForce,
  initialStatus,
}: {
  appId: string;
  canRetry: boolean;
  canForce: boolean;
  /** Read while the page rendered, so the panel shows the state right after a save at once. */
  initialStatus: AppPropagationStatus | null;
}) {
  const stream = useAppStatusStream(appId);
  const { data, error, isPending } = useQuery({
    ...appPropagationQuery(appId, stream),
    initialData: initialStatus ?? undefined,
    initialDataUpdatedAt: initialStatus?.checkedAt,
  });
  const primary = data?.regions.find((r) => r.role === 'primary');
  const diverged = data?.head?.pushState === 'diverged';
  const showRetry =
    canRetry &&
    !!data?.head &&
    !diverged &&
    (primary?.state === 'not_pushed' || data.head.pushedAt === null);
  return (
    <Card>
      <CardHeader
        title="Propagation"
        description={
          data?.head ? (
            <>
              {data.head.archived ? 'Archived' : `v${data.head.version} saved`}{' '}
              {/* Relative to the server's check, so a save made seconds ago never reads "in 9 seconds". */}
              <time
                dateTime={new Date(data.head.committedAt).toISOString()}
                title={exactTime(data.head.committedAt)}
              >
                {timeAgo(data.head.committedAt, data.checkedAt)}
              </time>{' '}
              · <Freshness stream={stream} allInSync={data.allInSync} />
            </>
          ) : (
            'Where the latest version has reached, region by region.'
          )
        }
        actions={
          <>
            {data?.head &&
              (data.allInSync ? (
                <Badge tone="success" dot>
                  {data.head.archived ? 'Removed from every region' : 'All regions in sync'}
                </Badge>
              ) : data.head.archived ? (
                <Badge tone="warning" dot>
                  {data.regions.filter((r) => !removed(data, r)).length} still serve it
                </Badge>
              ) : (
                <Badge tone="warning" dot>
                  {activeRegions(data).filter((r) => r.state !== 'in_sync').length} behind
                </Badge>
              ))}
            {showRetry && <RetryPushButton appId={appId} />}
            {diverged && canForce && data.head && (
              <ForcePushButton appId={appId} version={data.head.version} />
            )}
          </>
        }
      />
      {/* Announced when it changes, e.g. when the last region arrives. */}
      <p aria-live="polite" className="sr-only">
        {data ? summary(data) : ''}
      </p>
      {diverged && data.head && (
        <ErrorState title={`Push diverged: the cache holds another v${data.head.version}`}>
          The primary cache already holds a v{data.head.version} whose contents differ from the one
          saved here (for example after the database was restored from a backup), so this version
          was not pushed and is not retried.{' '}
          {canForce
            ? 'Check why, then force the re-push to overwrite it.'
            : 'Ask support: they can overwrite it with a forced re-push.'}
        </ErrorState>
      )}
      {error && (
        <ErrorState title="Could not load the propagation status">
          {error.message} We keep trying; the regions themselves are not affected.
        </ErrorState>
      )}
      {data && !data.head ? (
        <EmptyState title="Nothing to propagate yet">
          This app has no configuration; once it is saved, every region is tracked here.
        </EmptyState>
      ) : (
        <Table
          caption={
            data?.head?.archived
              ? 'Where the removal of this archived app has reached, per region'
              : 'Where the latest version has reached, per region'
          }
          columns={['Region', 'State', 'Serves', 'Time to arrive', 'Details']}
        >
          <tbody>
            {isPending && <SkeletonRows columns={5} />}
            {data && <RegionRows status={data} />}
          </tbody>
        </Table>
      )}
      {data?.head && <SaveTimeline status={data} />}
    </Card>
  );
}
