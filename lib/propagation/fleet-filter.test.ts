import { describe, expect, it } from 'vitest';
import { filterFleet } from './fleet-filter';
import type { FleetApp, FleetStatus } from './status';
import type { RegionStateName } from './states';

const app = (appId: string, states: [RegionStateName, RegionStateName]): FleetApp => ({
  appId,
  tenantId: 't',
  name: appId,
  headVersion: 2,
  committedAt: 0,
  regions: [
    { name: 'us-east-1', state: states[0], version: 2 },
    { name: 'eu-west-1', state: states[1], version: 1 },
  ],
  behind: states.filter((s) => s !== 'in_sync').length,
  worst: states[0] === 'in_sync' ? states[1] : states[0],
});

const fleet: FleetStatus = {
  apps: [
    app('a', ['not_pushed', 'in_sync']),
    app('b', ['in_sync', 'lagging']),
    app('c', ['in_sync', 'in_sync']),
  ],
  regions: [],
  checkedAt: 0,
  lagBudgetMs: 5_000,
};

const ids = (f: { apps: FleetApp[] }) => f.apps.map((a) => a.appId);

describe('filterFleet', () => {
  it('keeps everything without filters and counts what is behind', () => {
    const out = filterFleet(fleet, { limit: 10 });
    expect(ids(out)).toEqual(['a', 'b', 'c']);
    expect(out).toMatchObject({ total: 3, notInSync: 2, matching: 3 });
  });

  it('filters by state in any region', () => {
    expect(ids(filterFleet(fleet, { state: 'lagging', limit: 10 }))).toEqual(['b']);
    expect(ids(filterFleet(fleet, { state: 'in_sync', limit: 10 }))).toEqual(['a', 'b', 'c']);
  });

  it('with a region, looks at that region only, worst first', () => {
    expect(ids(filterFleet(fleet, { region: 'eu-west-1', limit: 10 }))).toEqual(['b', 'a', 'c']);
    expect(ids(filterFleet(fleet, { region: 'eu-west-1', state: 'in_sync', limit: 10 }))).toEqual([
      'a',
      'c',
    ]);
  });

  it('cuts the list at the limit but reports how many matched', () => {
    const out = filterFleet(fleet, { limit: 1 });
    expect(ids(out)).toEqual(['a']);
    expect(out.matching).toBe(3);
  });
});
