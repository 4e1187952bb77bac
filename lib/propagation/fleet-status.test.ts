import { describe, expect, it } from 'vitest';
import {
  applyFleetRowChanges,
  fleetPage,
  fleetRowChange,
  type FleetFilter,
  type FleetRegion,
  type FleetSource,
} from './fleet-status';
import type { RegionStateName } from '@/lib/model/region-states';
import { fleetRegion } from '@/test/helpers/fleet';

const regions: FleetRegion[] = [fleetRegion('us-east-1', 'primary'), fleetRegion('eu-west-1')];

const NOW = 100_000;

const app = (
  appId: string,
  states: [RegionStateName, RegionStateName],
  { tenantId = 't', committedAt = NOW - 1_000 } = {},
): FleetSource => ({
  appId,
  tenantId,
  name: appId,
  head: { version: 2, checksum: 'c', committedAt, pushedAt: committedAt, divergedAt: null },
  stamps: [{ version: 2 }, { version: 1 }],
  states,
});

// Already in tenant and name order, as the observer hands them over.
const sources = [
  app('a', ['not_pushed', 'in_sync']),
  app('b', ['in_sync', 'lagging'], { committedAt: NOW - 42_000 }),
  app('c', ['in_sync', 'in_sync']),
];

const page = (filter: Partial<FleetFilter>, from = sources) =>
  fleetPage(from, regions, { limit: 10, ...filter }, { now: NOW, lagBudgetMs: 5_000 });
const ids = (f: { apps: { appId: string }[] }) => f.apps.map((a) => a.appId);

describe('fleetPage', () => {
  it('keeps everything without filters, worst first, and summarises what is behind', () => {
    const out = page({});
    expect(ids(out)).toEqual(['a', 'b', 'c']);
    expect(out).toMatchObject({ total: 3, notInSync: 2, matching: 3, oldestBehindMs: 42_000 });
    expect(out.apps[1]).toMatchObject({ behind: 1, worst: 'lagging', headVersion: 2 });
    expect(out.apps[1]?.regions).toEqual([
      { name: 'us-east-1', deployment: 'd', state: 'in_sync', version: 2 },
      { name: 'eu-west-1', deployment: 'd', state: 'lagging', version: 1 },
    ]);
  });

  it('filters by state in any region', () => {
    expect(ids(page({ state: 'lagging' }))).toEqual(['b']);
    expect(ids(page({ state: 'in_sync' }))).toEqual(['a', 'b', 'c']);
  });

  it('with a region, looks at that region only, worst first', () => {
    expect(ids(page({ region: 'eu-west-1' }))).toEqual(['b', 'a', 'c']);
    expect(ids(page({ region: 'eu-west-1', state: 'in_sync' }))).toEqual(['a', 'c']);
  });

  it('filters by tenant before counting', () => {
    const out = page({ tenant: 'u' }, [
      ...sources,
      app('d', ['in_sync', 'in_sync'], { tenantId: 'u' }),
    ]);
    expect(ids(out)).toEqual(['d']);
    expect(out).toMatchObject({ total: 1, notInSync: 0, oldestBehindMs: null });
  });

  it('pages across the apps behind and those in sync, and reports how many matched', () => {
    expect(ids(page({ limit: 1 }))).toEqual(['a']);
    expect(ids(page({ limit: 1, offset: 1 }))).toEqual(['b']);
    const last = page({ limit: 2, offset: 2 });
    expect(ids(last)).toEqual(['c']);
    expect(last).toMatchObject({ matching: 3, offset: 2, limit: 2 });
  });

  it('a region that did not answer shows no version', () => {
    const down = regions.map((r, i) => (i === 1 ? { ...r, reachable: false } : r));
    const out = fleetPage(
      [app('x', ['in_sync', 'unreachable'])],
      down,
      { limit: 5 },
      {
        now: NOW,
        lagBudgetMs: 5_000,
      },
    );
    expect(out.apps[0]?.regions[1]).toEqual({
      name: 'eu-west-1',
      deployment: 'd',
      state: 'unreachable',
      version: null,
    });
  });

  it('keeps one deployment’s regions: shown, counted and ordered by them alone', () => {
    const two: FleetRegion[] = [
      ...regions,
      { ...regions[0]!, deployment: 'e' },
      { ...regions[1]!, deployment: 'e' },
    ];
    const four = (appId: string, states: RegionStateName[]): FleetSource => ({
      ...app(appId, ['in_sync', 'in_sync']),
      stamps: [{ version: 2 }, { version: 2 }, { version: 2 }, { version: 1 }],
      states,
    });
    const both = [
      four('a', ['in_sync', 'in_sync', 'in_sync', 'lagging']),
      four('b', ['in_sync', 'lagging', 'in_sync', 'in_sync']),
    ];
    const d = fleetPage(
      both,
      two,
      { limit: 10, deployment: 'd' },
      { now: NOW, lagBudgetMs: 5_000 },
    );
    expect(d.regions.map((r) => r.deployment)).toEqual(['d', 'd']);
    expect(ids(d)).toEqual(['b', 'a']);
    expect(d.notInSync).toBe(1);
    expect(d.apps[1]?.regions.map((r) => r.state)).toEqual(['in_sync', 'in_sync']);
    const e = fleetPage(
      both,
      two,
      { limit: 10, deployment: 'e', state: 'lagging' },
      { now: NOW, lagBudgetMs: 5_000 },
    );
    expect(ids(e)).toEqual(['a']);
    expect(e.apps[0]?.regions).toEqual([
      { name: 'us-east-1', deployment: 'e', state: 'in_sync', version: 2 },
      { name: 'eu-west-1', deployment: 'e', state: 'lagging', version: 1 },
    ]);
  });
});

describe('fleet rows from the stream', () => {
  it('a changed row carries every region, and a page takes it for the regions it shows', () => {
    const two: FleetRegion[] = [...regions, { ...regions[1]!, deployment: 'e' }];
    const before = fleetPage(
      [app('a', ['in_sync', 'lagging']), app('c', ['in_sync', 'in_sync'])],
      two,
      { limit: 10, deployment: 'd' },
      { now: NOW, lagBudgetMs: 5_000 },
    );
    const change = fleetRowChange(
      {
        ...app('a', ['in_sync', 'in_sync']),
        head: { version: 3, checksum: 'c', committedAt: NOW, pushedAt: NOW, divergedAt: null },
        stamps: [{ version: 3 }, { version: 3 }, { version: 2 }],
        states: ['in_sync', 'in_sync', 'propagating'],
      },
      two,
      true,
    );
    expect(change.regions.map((r) => `${r.deployment}/${r.name}`)).toEqual([
      'd/us-east-1',
      'd/eu-west-1',
      'e/eu-west-1',
    ]);
    const after = applyFleetRowChanges(before, [change]);
    expect(after.apps[0]).toEqual({
      appId: 'a',
      tenantId: 't',
      name: 'a',
      headVersion: 3,
      committedAt: NOW,
      regions: [
        { name: 'us-east-1', deployment: 'd', state: 'in_sync', version: 3 },
        { name: 'eu-west-1', deployment: 'd', state: 'in_sync', version: 3 },
      ],
      behind: 0,
      worst: 'in_sync',
    });
    // The other row, and the server's order and counts, are the page's until it is read again.
    expect(after.apps[1]).toBe(before.apps[1]);
    expect(after).toMatchObject({ notInSync: before.notInSync, total: before.total });
  });

  it('leaves a page that shows none of the changed apps as it was', () => {
    const before = page({});
    const other = fleetRowChange(app('z', ['lagging', 'lagging']), regions, true);
    expect(applyFleetRowChanges(before, [other])).toBe(before);
  });
});
