import { describe, expect, it } from 'vitest';
import type { Stamp } from '@/lib/contract/cache-layout';
import {
  explainRegionState,
  regionState,
  regionStates,
  type ExplainInput,
  type HeadStamp,
  type RegionStateInput,
  type RegionStateName,
} from './region-states';

const now = 1_000_000;
const head: HeadStamp = {
  version: 5,
  checksum: 'c5',
  committedAt: now - 1_000,
  pushedAt: now - 990,
};
const stamp = (version: number, checksum = `c${version}`): Stamp => ({
  version,
  checksum,
  committedAt: now - 1_000,
  pushedAt: now - 990,
});

const base: RegionStateInput = {
  role: 'replica',
  stamp: stamp(5),
  head,
  now,
  lagBudgetMs: 5_000,
  reachable: true,
  linkUp: true,
  unreachableSince: null,
};

const cases: [string, Partial<RegionStateInput>, RegionStateName][] = [
  ['replica with the head', {}, 'in_sync'],
  ['primary with the head', { role: 'primary', linkUp: null }, 'in_sync'],
  ['replica one version behind, saved 1 s ago', { stamp: stamp(4) }, 'propagating'],
  ['replica without the key, saved 1 s ago', { stamp: null }, 'propagating'],
  [
    'replica behind for longer than the budget',
    { stamp: stamp(4), head: { ...head, committedAt: now - 6_000, pushedAt: now - 5_990 } },
    'lagging',
  ],
  [
    'replica exactly at the budget counts as lagging',
    { stamp: stamp(4), head: { ...head, committedAt: now - 5_000, pushedAt: null } },
    'lagging',
  ],
  [
    'an old save that only just reached the primary is still propagating',
    { stamp: stamp(4), head: { ...head, committedAt: now - 60_000, pushedAt: now - 100 } },
    'propagating',
  ],
  ['primary behind the head', { role: 'primary', linkUp: null, stamp: stamp(4) }, 'not_pushed'],
  [
    'primary without the key (restarted empty)',
    { role: 'primary', linkUp: null, stamp: null },
    'not_pushed',
  ],
  [
    'primary behind long after the budget is still "not pushed"',
    {
      role: 'primary',
      linkUp: null,
      stamp: null,
      head: { ...head, committedAt: now - 600_000, pushedAt: null },
    },
    'not_pushed',
  ],
  ['same version, other checksum', { stamp: stamp(5, 'other') }, 'diverged'],
  ['a version newer than MongoDB', { stamp: stamp(6) }, 'diverged'],
  [
    'primary with a version newer than MongoDB',
    { role: 'primary', linkUp: null, stamp: stamp(7) },
    'diverged',
  ],
  ['a stamp for an app MongoDB has no configuration for', { head: null }, 'diverged'],
  ['no configuration and no key', { head: null, stamp: null }, 'in_sync'],
  ['no answer', { reachable: false, stamp: null, linkUp: null }, 'unreachable'],
  [
    'no answer outranks everything',
    { reachable: false, stamp: stamp(9), linkUp: false },
    'unreachable',
  ],
  [
    'replica whose link is down while behind',
    { stamp: stamp(4), linkUp: false },
    'replication_down',
  ],
  ['replica whose link is down while holding the head', { linkUp: false }, 'replication_down'],
  ['diverged outranks a down link', { stamp: stamp(5, 'x'), linkUp: false }, 'diverged'],
  [
    'unknown link state (INFO without the field) is not "down"',
    { stamp: stamp(4), linkUp: null },
    'propagating',
  ],
];

describe('regionState', () => {
  it.each(cases)('%s', (_name, override, expected) => {
    expect(regionState({ ...base, ...override })).toBe(expected);
  });
});

describe('explainRegionState', () => {
  const explain = (state: RegionStateName, override: Partial<ExplainInput> = {}) =>
    explainRegionState(state, {
      ...base,
      region: 'eu-west-1',
      linkDownForMs: null,
      timeoutMs: 800,
      ...override,
    });

  it('says how long a replica has been cut off and that it recovers by itself', () => {
    expect(
      explain('replication_down', { linkUp: false, stamp: stamp(4), linkDownForMs: 42_000 }),
    ).toBe(
      'eu-west-1 is cut off from the primary for 42 s; it serves v4 while the head is v5, and will catch up by itself when the link returns.',
    );
  });

  it('says since when a region has not answered', () => {
    expect(explain('unreachable', { reachable: false, unreachableSince: now - 12_000 })).toContain(
      'has not answered for 12 s',
    );
    expect(explain('unreachable', { reachable: false })).toContain('did not answer within 800 ms');
  });

  it('names the budget a lagging region missed', () => {
    const text = explain('lagging', {
      stamp: stamp(4),
      head: { ...head, committedAt: now - 7_000, pushedAt: null },
    });
    expect(text).toContain('within the 5.0 s budget');
    expect(text).toContain('behind for 7.0 s');
  });

  it('tells a pending push from a primary that lost its copy', () => {
    expect(
      explain('not_pushed', { role: 'primary', stamp: null, head: { ...head, pushedAt: null } }),
    ).toContain('the worker retries');
    expect(explain('not_pushed', { role: 'primary', stamp: null })).toContain(
      're-pushes it from MongoDB',
    );
  });

  it('tells the two kinds of divergence apart', () => {
    expect(explain('diverged', { stamp: stamp(5, 'x') })).toContain('different checksum');
    expect(explain('diverged', { stamp: stamp(8) })).toContain('newer than MongoDB');
  });

  it.each(regionStates)('has a sentence ending in a full stop for %s', (state) => {
    expect(explain(state)).toMatch(/^\S.*\.$/);
  });
});
