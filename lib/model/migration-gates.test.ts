import { describe, expect, it } from 'vitest';
import { gateFor, type GateFacts } from './migration-gates';
import {
  diffRegion,
  emptyBackfill,
  emptyVerify,
  initialCacheState,
  recordVerify,
  writeTargets,
  type CacheStateDoc,
  type MigrationDoc,
} from './migration';

const now = new Date('2026-11-29T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

function migration(overrides: Partial<MigrationDoc> = {}): MigrationDoc {
  return {
    id: 'mig-1',
    source: 'legacy',
    target: 'global',
    phase: 'syncing',
    plannedAt: ago(600_000),
    plannedBy: { id: 'op', name: 'Olga' },
    backfill: { ...emptyBackfill(), total: 10, copied: 10, finishedAt: ago(400_000) },
    verify: {
      ...emptyVerify(),
      lastRunAt: ago(1_000),
      cleanSince: ago(301_000),
    },
    cutOverAt: null,
    rolledBackAt: null,
    verifyWindowMs: 300_000,
    ...overrides,
  };
}

function state(m: MigrationDoc | null, active = 'legacy'): CacheStateDoc {
  return { ...initialCacheState(active), migration: m };
}

const healthy: GateFacts = {
  now,
  targetRegions: [
    { region: 'us-east-1', reachable: true },
    { region: 'eu-west-1', reachable: true },
  ],
  instances: [
    {
      instanceId: 'login-eu-1',
      region: 'eu-west-1',
      deployment: 'legacy',
      reaches: { legacy: true, global: true },
    },
  ],
};

describe('write targets', () => {
  it.each([
    ['no migration', state(null), ['legacy']],
    [
      'planned: nothing written to the target yet',
      state(migration({ phase: 'planned' })),
      ['legacy'],
    ],
    ['syncing: the target too', state(migration()), ['legacy', 'global']],
    [
      'cut over: the source too, for an exact rollback',
      state(migration({ phase: 'cut-over' }), 'global'),
      ['global', 'legacy'],
    ],
  ])('%s', (_case, s, expected) => {
    expect(writeTargets(s)).toEqual(expected);
  });
});

describe('migration gates', () => {
  it('opens the cut-over after a clean window with every region in sync', () => {
    expect(gateFor('cutOver', state(migration()), healthy)).toEqual({ open: true });
  });

  it.each([
    [
      'backfill still running',
      migration({ backfill: { ...emptyBackfill(), total: 10, copied: 4 } }),
      healthy,
      /copied 4 of 10/,
    ],
    [
      'window not over',
      migration({ verify: { ...emptyVerify(), lastRunAt: ago(1_000), cleanSince: ago(29_000) } }),
      healthy,
      /Clean for 29 s of the 300 s window/,
    ],
    [
      'mismatches found',
      migration({
        verify: {
          ...emptyVerify(),
          lastRunAt: ago(1_000),
          counts: { missing: 1, older: 2, mismatch: 0 },
        },
      }),
      healthy,
      /1 missing, 2 older and 0 mismatched/,
    ],
    [
      'a target region partitioned, named',
      migration({
        verify: {
          ...emptyVerify(),
          lastRunAt: ago(1_000),
          regionsOutOfSync: [{ region: 'ap-south-1', reason: 'replication link down' }],
        },
      }),
      healthy,
      /ap-south-1 \(replication link down\)/,
    ],
    [
      'the verification stopped',
      migration({ verify: { ...emptyVerify(), lastRunAt: ago(60_000), cleanSince: ago(400_000) } }),
      healthy,
      /not running/,
    ],
    [
      'an instance cannot reach the target, named',
      migration(),
      {
        ...healthy,
        instances: [
          {
            instanceId: 'login-ap-2',
            region: 'ap-south-1',
            deployment: 'legacy',
            reaches: { legacy: true, global: false },
          },
        ],
      },
      /1 instance cannot reach global: login-ap-2 \(ap-south-1\)/,
    ],
    [
      'a target region down',
      migration(),
      {
        ...healthy,
        targetRegions: [{ region: 'eu-west-1', reachable: false, reason: 'no answer' }],
      },
      /not reachable in eu-west-1 \(no answer\)/,
    ],
  ])('keeps the cut-over closed when %s', (_case, m, facts, reason) => {
    const gate = gateFor('cutOver', state(m), facts);
    expect(gate.open).toBe(false);
    expect(gate.open ? '' : gate.reason).toMatch(reason);
  });

  it('rolls back only after a cut-over, finishes only when every instance moved', () => {
    expect(gateFor('rollBack', state(migration()), healthy).open).toBe(false);
    const cut = state(migration({ phase: 'cut-over' }), 'global');
    expect(gateFor('rollBack', cut, healthy).open).toBe(true);
    expect(gateFor('finish', cut, healthy)).toEqual({
      open: false,
      reason: '1 instance still reads from another deployment: login-eu-1 (eu-west-1).',
    });
    const moved = {
      ...healthy,
      instances: healthy.instances.map((i) => ({ ...i, deployment: 'global' })),
    };
    expect(gateFor('finish', cut, moved).open).toBe(true);
    expect(gateFor('cancel', cut, healthy).open).toBe(false);
  });

  it('plans one migration at a time', () => {
    expect(gateFor('plan', state(null), healthy).open).toBe(true);
    expect(gateFor('plan', state(migration()), healthy).open).toBe(false);
    expect(gateFor('start', state(migration({ phase: 'planned' })), healthy).open).toBe(true);
  });
});

describe('the continuous diff', () => {
  const heads = [
    { appId: 'a', version: 3, checksum: 'c3', createdAt: ago(60_000) },
    { appId: 'b', version: 2, checksum: 'c2', createdAt: ago(60_000) },
    { appId: 'c', version: 5, checksum: 'c5', createdAt: ago(60_000) },
    { appId: 'd', version: 1, checksum: 'c1', createdAt: ago(60_000) },
    { appId: 'e', version: 9, checksum: 'c9', createdAt: ago(100) },
  ];
  it('classifies missing, older and mismatched entries, and lets a just-saved head arrive', () => {
    const offending = diffRegion({
      region: 'eu-west-1',
      heads,
      stamps: [
        { version: 3, checksum: 'c3' },
        null,
        { version: 4, checksum: 'c4' },
        { version: 1, checksum: 'other' },
        { version: 8, checksum: 'c8' },
      ],
      now: now.getTime(),
      graceMs: 5_000,
    });
    expect(offending).toEqual([
      { appId: 'b', region: 'eu-west-1', problem: 'missing' },
      { appId: 'c', region: 'eu-west-1', problem: 'older' },
      { appId: 'd', region: 'eu-west-1', problem: 'mismatch' },
    ]);
  });

  it('restarts the clean window at anything found', () => {
    const clean = {
      counts: { missing: 0, older: 0, mismatch: 0 },
      offending: [],
      regionsOutOfSync: [],
    };
    let v = recordVerify(emptyVerify(), { at: ago(3_000), ...clean });
    v = recordVerify(v, { at: ago(2_000), ...clean });
    expect(v.cleanSince).toEqual(ago(3_000));
    v = recordVerify(v, {
      at: ago(1_000),
      ...clean,
      counts: { missing: 1, older: 0, mismatch: 0 },
    });
    expect(v.cleanSince).toBeNull();
    v = recordVerify(v, { at: now, ...clean });
    expect(v.cleanSince).toEqual(now);
    expect(v.history).toHaveLength(4);
  });
});
