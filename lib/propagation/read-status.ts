import 'server-only';
import { assertTenant } from '@/lib/auth/authorize';
import type { Principal } from '@/lib/auth/principal';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import {
  fleetPage,
  fleetRowChange,
  type FleetFilter,
  type FleetPage,
  type FleetRegion,
} from '@/lib/propagation/fleet-status';
import { getObserver } from '@/lib/propagation/observer/instance';
import type { ScopeBatch, StatusObserver } from '@/lib/propagation/observer/observer';
import type { Region } from '@/lib/regions';
import { toRegionHealth, type RegionHealth } from '@/lib/regions-health/region-health';

/**
 * Every status answer (app, fleet, regions) is read from the process's status observer: no
 * Redis or MongoDB I/O per request once the snapshot holds the app, so a thousand viewers cost
 * what one does.
 */

/** How long a fleet read waits for the observer's first full load before saying so. */
const FIRST_LOAD_WAIT_MS = 15_000;

/**
 * The app a status read is about, checked against the caller's tenant. The snapshot lists every
 * app with its tenant (from the apps collection), so a known app costs no MongoDB read; one it
 * has not listed yet (created a moment ago, or no such app) is read from MongoDB. Unknown and
 * foreign apps are both "not found".
 */
export async function statusAppForPrincipal(
  principal: Principal,
  appId: string,
  observer: StatusObserver = getObserver(),
): Promise<{ _id: string }> {
  let listed = observer.listedApp(appId);
  if (!listed) {
    // Just started: every app is listed within moments; a crowd need not ask MongoDB each.
    await loaded(observer).catch(() => undefined);
    listed = observer.listedApp(appId);
  }
  if (listed) {
    assertTenant(principal, listed.tenantId, 'App');
    return { _id: listed.appId };
  }
  const app = await getAppForPrincipalOrThrow(principal, appId);
  return { _id: app._id };
}

/** One app, every region: stamps, states, and the measured arrival of the head. */
export async function appPropagationStatus(
  app: { _id: string },
  observer: StatusObserver = getObserver(),
): Promise<AppPropagationStatus> {
  return observer.statusOf(await observer.appEntry(app._id));
}

async function loaded(observer: StatusObserver): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new AppError('The status of every app is still loading; try again shortly.', 503)),
      FIRST_LOAD_WAIT_MS,
    );
  });
  try {
    await Promise.race([observer.ready(), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function fleetRegions(observer: StatusObserver): FleetRegion[] {
  return observer.regions.map((region, i) => {
    const probe = observer.regionProbes()[i];
    return {
      name: region.name,
      role: region.role,
      deployment: region.deployment,
      reachable: probe?.reachable ?? false,
      unreachableSince: probe?.unreachableSince ?? null,
      lastError: probe ? probe.error : 'not read yet',
    };
  });
}

/**
 * A page of the fleet in a tenant scope (`tenant` unset: every tenant, for support). `none`
 * answers with no app at all (a caller asking for a tenant that is not theirs).
 */
export async function readFleet(
  filter: FleetFilter,
  { none = false, observer = getObserver() }: { none?: boolean; observer?: StatusObserver } = {},
): Promise<FleetPage> {
  await loaded(observer);
  const sources = none ? [] : filter.apps ? observer.entriesOf(filter.apps) : observer.entries();
  return fleetPage(sources, fleetRegions(observer), filter, {
    now: Date.now(),
    lagBudgetMs: env.LAG_BUDGET_MS,
  });
}

/**
 * At most this many changed rows go in one fleet event; past it (a re-push of every app) the
 * event says to read the page again instead, so an event stays small whatever the fleet's size.
 */
export const MAX_FLEET_ROWS_PER_EVENT = 200;

/** A fleet event's rows as JSON, or `overflow`: more changed than an event carries. */
export type FleetChanges = { rowsJson: string } | { overflow: true };

const changesByBatch = new WeakMap<ScopeBatch, Map<string, FleetChanges | null>>();

/**
 * A batch's changed fleet rows in a tenant scope (null: every tenant), built once per batch and
 * scope however many streams send them; null when no app of the scope changed.
 */
export function fleetChanges(
  batch: ScopeBatch,
  tenantId: string | null,
  observer: StatusObserver = getObserver(),
): FleetChanges | null {
  let byScope = changesByBatch.get(batch);
  if (!byScope) changesByBatch.set(batch, (byScope = new Map<string, FleetChanges | null>()));
  const scope = tenantId ?? '';
  const known = byScope.get(scope);
  if (known !== undefined) return known;
  const inScope = tenantId ? batch.apps.filter((a) => a.tenantId === tenantId) : batch.apps;
  let changes: FleetChanges | null = null;
  if (inScope.length > MAX_FLEET_ROWS_PER_EVENT) changes = { overflow: true };
  else if (inScope.length > 0) {
    const regions = fleetRegions(observer);
    const rows = inScope.map((a) => fleetRowChange(a, regions, batch.moved.has(a)));
    changes = { rowsJson: JSON.stringify(rows) };
  }
  byScope.set(scope, changes);
  return changes;
}

/** Every region's health from the observer's last scan. */
export async function readRegionHealth(
  observer: StatusObserver = getObserver(),
): Promise<RegionHealth[]> {
  await loaded(observer);
  return regionHealthNow(observer);
}

export function regionHealthNow(observer: StatusObserver): RegionHealth[] {
  return observer.regions.flatMap((region, i) => {
    const probe = observer.regionProbes()[i];
    return probe
      ? [
          {
            ...toRegionHealth(probe),
            deployment: region.deployment,
            active: region.deployment === observer.activeDeployment,
          },
        ]
      : [];
  });
}

/** Every region the observer watches (each live deployment's), once it knows them. */
export async function liveRegions(observer: StatusObserver = getObserver()): Promise<Region[]> {
  await loaded(observer);
  return [...observer.regions];
}
