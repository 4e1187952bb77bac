import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FleetApp, FleetPage, FleetRowChange } from '@/lib/propagation/fleet-status';
import { propagationKeys, type FleetFilters } from '@/lib/query/propagation';
import { applyFleetEvent, ORDER_REFRESH_MS } from '@/lib/query/propagation-streams';
import { fleetRegion } from '@/test/helpers/fleet';

const cell = (version: number, state: FleetApp['worst'] = 'in_sync') => ({
  name: 'eu-west-1',
  deployment: 'd',
  state,
  version,
});

const row = (appId: string, tenantId: string, version: number): FleetApp => ({
  appId,
  tenantId,
  name: appId,
  headVersion: version,
  committedAt: 1,
  regions: [cell(version)],
  behind: 0,
  worst: 'in_sync',
});

const pageOf = (apps: FleetApp[]): FleetPage => ({
  apps,
  regions: [fleetRegion('eu-west-1')],
  checkedAt: 1,
  lagBudgetMs: 5_000,
  total: apps.length,
  notInSync: 0,
  oldestBehindMs: null,
  matching: apps.length,
  offset: 0,
  limit: 50,
});

const change = (appId: string, tenantId: string, version: number, moved: boolean) => {
  const { behind: _b, worst: _w, ...rest } = row(appId, tenantId, version);
  return {
    ...rest,
    regions: [cell(version, moved ? 'propagating' : 'in_sync')],
    moved,
  } satisfies FleetRowChange;
};

const fleet: FleetFilters = { limit: 50 };
const acme: FleetFilters = { tenant: 'acme', limit: 50 };
const globex: FleetFilters = { tenant: 'globex', limit: 50 };
const appsList: FleetFilters = { apps: 'a1,g1', limit: 2 };
const every = [fleet, acme, globex, appsList];

function cache() {
  const queryClient = new QueryClient();
  const seed = () => {
    queryClient.setQueryData(
      propagationKeys.fleet(fleet),
      pageOf([row('a1', 'acme', 1), row('g1', 'globex', 1)]),
    );
    queryClient.setQueryData(propagationKeys.fleet(acme), pageOf([row('a1', 'acme', 1)]));
    queryClient.setQueryData(propagationKeys.fleet(globex), pageOf([row('g1', 'globex', 1)]));
    queryClient.setQueryData(
      propagationKeys.fleet(appsList),
      pageOf([row('a1', 'acme', 1), row('g1', 'globex', 1)]),
    );
  };
  seed();
  const stale = () =>
    every.filter((f) => queryClient.getQueryState(propagationKeys.fleet(f))?.isInvalidated);
  const page = (f: FleetFilters) => queryClient.getQueryData<FleetPage>(propagationKeys.fleet(f));
  return { queryClient, seed, stale, page };
}

describe('the scope stream’s fleet events in the browser cache', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.runOnlyPendingTimers();
    vi.useRealTimers();
  });

  it('patches the rows every page shows in place, reading no page again', () => {
    const c = cache();
    applyFleetEvent(c.queryClient, { seq: 0, rows: [] });
    c.seed();
    applyFleetEvent(c.queryClient, { seq: 1, rows: [change('a1', 'acme', 2, false)] });
    expect(c.stale()).toEqual([]);
    for (const f of [fleet, acme, appsList]) {
      expect(c.page(f)?.apps.find((a) => a.appId === 'a1')?.headVersion).toBe(2);
    }
    expect(c.page(globex)?.apps[0]?.headVersion).toBe(1);
  });

  it('reads again the fleet pages a moved row may reorder, at most once per interval', () => {
    const c = cache();
    applyFleetEvent(c.queryClient, { seq: 0, rows: [] });
    c.seed();
    applyFleetEvent(c.queryClient, { seq: 1, rows: [change('a1', 'acme', 2, true)] });
    // Not the other tenant's page, nor the apps list's lookup by id.
    expect(c.stale()).toEqual([fleet, acme]);
    expect(c.page(fleet)?.apps[0]?.worst).toBe('propagating');
    c.seed();
    applyFleetEvent(c.queryClient, { seq: 2, rows: [change('g1', 'globex', 2, true)] });
    expect(c.stale()).toEqual([]);
    vi.advanceTimersByTime(ORDER_REFRESH_MS);
    expect(c.stale()).toEqual([fleet, globex]);
  });

  it('reads every page again on connect, after a gap in the numbering, and after an overflow', () => {
    const c = cache();
    applyFleetEvent(c.queryClient, { seq: 0, rows: [] });
    expect(c.stale()).toEqual(every);
    c.seed();
    applyFleetEvent(c.queryClient, { seq: 1, rows: [] });
    expect(c.stale()).toEqual([]);
    applyFleetEvent(c.queryClient, { seq: 3, rows: [change('a1', 'acme', 2, false)] });
    expect(c.stale()).toEqual(every);
    c.seed();
    applyFleetEvent(c.queryClient, { seq: 4, overflow: true });
    expect(c.stale()).toEqual(every);
  });
});
