import { describe, expect, it } from 'vitest';
import type { ValidInstanceReport } from '@/lib/instances/report-schema';
import { summarizeInstances, versionsNeeded, type HeadStamp } from '@/lib/instances/summarize';

const NOW = 1_700_000_100_000;
const sum = (c: string) => c.repeat(64);
const head: HeadStamp = { version: 42, checksum: sum('a'), committedAt: NOW - 20_000 };

function report(
  instanceId: string,
  region: string,
  version: number,
  extra: Partial<ValidInstanceReport> = {},
): ValidInstanceReport {
  return {
    instanceId,
    region,
    appId: 'acme-login',
    version,
    checksum: version === 42 ? sum('a') : sum('b'),
    appliedAt: NOW - 30_000,
    stalenessMs: 0,
    reportedAt: NOW - 1_000,
    intervalMs: 5_000,
    ...extra,
  };
}

const regions = ['eu-west-1', 'ap-south-1'];

describe('summarizeInstances', () => {
  it('counts the servers of each region that hold the head', () => {
    const out = summarizeInstances({
      head,
      reports: [
        report('eu-1', 'eu-west-1', 42),
        report('eu-2', 'eu-west-1', 42),
        report('ap-1', 'ap-south-1', 42),
      ],
      committedAt: new Map(),
      regions,
      now: NOW,
    });
    expect(out.map((r) => [r.region, r.onHead, r.live])).toEqual([
      ['eu-west-1', 2, 2],
      ['ap-south-1', 1, 1],
    ]);
  });

  it('says since when a server is behind: the commit of the first version it lacks', () => {
    const [eu] = summarizeInstances({
      head,
      reports: [report('eu-1', 'eu-west-1', 40), report('eu-2', 'eu-west-1', 42)],
      committedAt: new Map([[41, NOW - 60_000]]),
      regions,
      now: NOW,
    });
    expect(eu?.onHead).toBe(1);
    expect(eu?.instances[0]).toMatchObject({
      instanceId: 'eu-1',
      state: 'behind',
      version: 40,
      behindSince: NOW - 60_000,
    });
  });

  it('falls back to the head commit time when the next version is unknown', () => {
    const [eu] = summarizeInstances({
      head,
      reports: [report('eu-1', 'eu-west-1', 7)],
      committedAt: new Map(),
      regions,
      now: NOW,
    });
    expect(eu?.instances[0]?.behindSince).toBe(head.committedAt);
  });

  it.each([
    ['reported just within 3 periods', NOW - 14_999, 'current'],
    ['silent for more than 3 periods', NOW - 15_001, 'stopped'],
  ] as const)('an instance %s is %s', (_name, reportedAt, state) => {
    const [eu] = summarizeInstances({
      head,
      reports: [report('eu-1', 'eu-west-1', 42, { reportedAt })],
      committedAt: new Map(),
      regions,
      now: NOW,
    });
    expect(eu?.instances[0]?.state).toBe(state);
    expect(eu?.live).toBe(state === 'stopped' ? 0 : 1);
  });

  it.each([
    ['a version newer than the head', report('eu-1', 'eu-west-1', 43)],
    [
      'the head version with another checksum',
      report('eu-1', 'eu-west-1', 42, { checksum: sum('c') }),
    ],
  ])('marks %s as diverged', (_name, r) => {
    const [eu] = summarizeInstances({
      head,
      reports: [r],
      committedAt: new Map(),
      regions,
      now: NOW,
    });
    expect(eu?.instances[0]?.state).toBe('diverged');
    expect(eu?.onHead).toBe(0);
  });

  it('lists regions without servers, and adds regions it did not expect', () => {
    const out = summarizeInstances({
      head,
      reports: [report('x', 'us-east-1', 42)],
      committedAt: new Map(),
      regions,
      now: NOW,
    });
    expect(out.map((r) => [r.region, r.instances.length])).toEqual([
      ['eu-west-1', 0],
      ['ap-south-1', 0],
      ['us-east-1', 1],
    ]);
  });

  it('lists behind instances first and stopped ones last', () => {
    const [eu] = summarizeInstances({
      head,
      reports: [
        report('c', 'eu-west-1', 42, { reportedAt: NOW - 60_000 }),
        report('b', 'eu-west-1', 42),
        report('a', 'eu-west-1', 41),
      ],
      committedAt: new Map(),
      regions,
      now: NOW,
    });
    expect(eu?.instances.map((i) => [i.instanceId, i.state])).toEqual([
      ['a', 'behind'],
      ['b', 'current'],
      ['c', 'stopped'],
    ]);
  });
});

describe('versionsNeeded', () => {
  it('asks for the version after each one held behind the head, once', () => {
    expect(
      versionsNeeded(
        [report('a', 'eu-west-1', 40), report('b', 'eu-west-1', 40), report('c', 'eu-west-1', 42)],
        head,
      ),
    ).toEqual([41]);
  });
});
