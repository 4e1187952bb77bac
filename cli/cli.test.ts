import { describe, expect, it } from 'vitest';
import { ApiProblem } from './client';
import { explainProblem, ifMatchOf } from './commands';
import { formatMs, parseDuration } from './duration';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from './exit-codes';
import { runCli } from './main';
import { createProgress } from './progress';
import { snapshotOf, type AppInstances, type AppPropagation } from './watch';

const region = (
  name: string,
  version: number | null,
  deployment = 'default',
): AppPropagation['regions'][number] => ({
  name,
  role: name === 'primary' ? 'primary' : 'replica',
  deployment,
  stamp: version === null ? null : { version, checksum: 'c', committedAt: 1, pushedAt: 1 },
  state: 'in_sync',
  label: 'In sync',
  explanation: '',
  arrivedAt: null,
  timeToArriveMs: null,
  method: null,
  unreachableSince: null,
  lastError: null,
  roundTripMs: null,
});

const status = (regions: AppPropagation['regions']): AppPropagation => ({
  appId: 'a',
  head: null,
  regions,
  allInSync: false,
  lagBudgetMs: 5000,
  checkedAt: 0,
});

const instances = (list: [string, string, number, 'current' | 'stopped'][]): AppInstances => ({
  appId: 'a',
  head: null,
  checkedAt: 0,
  reportsAvailable: true,
  regions: [...new Set(list.map(([r]) => r))].map((r) => ({
    region: r,
    live: 0,
    onHead: 0,
    instances: list
      .filter(([reg]) => reg === r)
      .map(([, id, version, state]) => ({
        instanceId: id,
        state,
        version,
        appliedAt: 0,
        reportedAt: 0,
        stalenessMs: 0,
        behindSince: null,
      })),
  })),
});

describe('durations and versions on the command line', () => {
  it.each([
    ['60s', 60_000],
    ['5', 5_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1.5s', 1_500],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it('refuses what is not a duration', () =>
    expect(() => parseDuration('soon')).toThrow(/duration/));
  it('formats durations for people', () => {
    expect(formatMs(312)).toBe('312 ms');
    expect(formatMs(2_345)).toBe('2.35 s');
    expect(formatMs(75_000)).toBe('1 min 15 s');
  });
  it.each(['7', 'v7', '"v7"'])('%s is the ETag "v7"', (text) =>
    expect(ifMatchOf(text)).toBe('"v7"'),
  );
});

describe('convergence', () => {
  it('needs every region at the version or newer', () => {
    expect(snapshotOf(3, status([region('primary', 3), region('eu', 2)]), null).converged).toBe(
      false,
    );
    expect(snapshotOf(3, status([region('primary', 4), region('eu', 3)]), null).converged).toBe(
      true,
    );
    expect(snapshotOf(3, status([]), null).converged).toBe(false);
  });
  it('with servers, also every live server; stopped ones are not waited for', () => {
    const regions = status([region('primary', 3), region('eu', 3)]);
    // Every region holds v3; in eu, i-1 has applied it and i-2, live or stopped, is still on v2.
    const withI2 = (state: 'current' | 'stopped') =>
      snapshotOf(
        3,
        regions,
        instances([
          ['eu', 'i-1', 3, 'current'],
          ['eu', 'i-2', 2, state],
        ]),
      );
    const waiting = withI2('current');
    expect(waiting.converged).toBe(false);
    expect([...waiting.serversWaiting]).toEqual(['eu/i-2']);
    expect(withI2('stopped').converged).toBe(true);
  });
});

/** Version 3's progress display, on a terminal or piped, and what it has written so far. */
function recordedProgress(tty: boolean) {
  let text = '';
  const progress = createProgress({
    version: 3,
    servers: false,
    startedAt: Date.now(),
    tty,
    write: (t) => (text += t),
  });
  return { progress, text: () => text };
}

describe('progress when piped', () => {
  it('prints each region once, when it arrives, with no terminal control codes', () => {
    const { progress, text } = recordedProgress(false);
    progress.update(snapshotOf(3, status([region('primary', 3), region('eu', 2)]), null));
    progress.update(snapshotOf(3, status([region('primary', 3), region('eu', 3)]), null));
    progress.finish(snapshotOf(3, status([region('primary', 3), region('eu', 3)]), null));
    expect(text().match(/✓ primary/g)).toHaveLength(1);
    expect(text().match(/✓ eu/g)).toHaveLength(1);
    expect(text().indexOf('✓ primary')).toBeLessThan(text().indexOf('✓ eu'));
    expect(text()).not.toContain('\x1b[');
  });
  it('redraws in place on a terminal', () => {
    const { progress, text } = recordedProgress(true);
    progress.update(snapshotOf(3, status([region('primary', 3), region('eu', 2)]), null));
    progress.finish(snapshotOf(3, status([region('primary', 3), region('eu', 3)]), null));
    expect(text()).toContain('\x1b[3F'); // back over the two regions and the clock
  });
});

describe('during a cache migration (two deployments with the same region names)', () => {
  const both = (target: number) =>
    status([
      region('primary', 3),
      region('eu', 3),
      region('primary', target, 'target'),
      region('eu', target, 'target'),
    ]);

  it('waits for each deployment’s copy of a region, not for the name once', () => {
    expect(snapshotOf(3, both(2), null).converged).toBe(false);
    expect(snapshotOf(3, both(3), null).converged).toBe(true);
  });

  it('labels every region row with its deployment, piped and on a terminal', () => {
    for (const tty of [false, true]) {
      const { progress, text } = recordedProgress(tty);
      progress.finish(snapshotOf(3, both(3), null));
      const rows = text()
        .split('\n')
        .filter((line) => line.includes('✓'));
      expect(rows).toHaveLength(4);
      expect(rows.filter((line) => / eu +default /.test(line))).toHaveLength(1);
      expect(rows.filter((line) => / eu +target /.test(line))).toHaveLength(1);
    }
  });

  it('names no deployment while there is one', () => {
    const { progress, text } = recordedProgress(false);
    progress.finish(snapshotOf(3, status([region('primary', 3), region('eu', 3)]), null));
    expect(text()).not.toContain('default');
  });
});

describe('problems', () => {
  it('maps statuses to exit codes and explains a conflict with both sides’ changes', () => {
    expect(new ApiProblem(401, { type: 't', title: 't', status: 401, detail: 'd' }).exitCode).toBe(
      EXIT.auth,
    );
    expect(new ApiProblem(422, { type: 't', title: 't', status: 422, detail: 'd' }).exitCode).toBe(
      EXIT.invalid,
    );
    expect(new ApiProblem(404, { type: 't', title: 't', status: 404, detail: 'd' }).exitCode).toBe(
      EXIT.notFound,
    );
    const conflict = new ApiProblem(412, {
      type: 't',
      title: 't',
      status: 412,
      detail: 'd',
      current: {
        version: 9,
        authorName: 'Ada',
        createdAt: new Date('2026-11-29T12:00:00Z'),
        message: 'MFA',
      },
      baseVersion: 7,
      theirChanges: [
        {
          path: 'mfa.policy',
          label: 'MFA › Policy',
          kind: 'changed',
          before: 'optional',
          after: 'required',
        },
      ],
      yourChanges: [],
    });
    expect(conflict.exitCode).toBe(EXIT.conflict);
    const text = explainProblem(conflict, 'shop');
    expect(text).toContain('Conflict: shop is at v9 now; this change started from v7.');
    expect(text).toContain('~ MFA › Policy (mfa.policy): "optional" → "required"');
  });
});

describe('exit codes', () => {
  const codes = Object.values(EXIT).sort();

  it('are 0 to 7, each with its own meaning', () => {
    expect(codes).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('are listed by `propagate --help`, which exits 0', async () => {
    let out = '';
    const code = await runCli(['--help'], { out: (t) => (out += t), err: () => {}, tty: false });
    expect(code).toBe(EXIT.ok);
    const listed = [...out.matchAll(/^ {2}(\d) {2}(\w[\w ]*):/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(listed).toEqual([
      [0, 'done'],
      [1, 'error'],
      [2, 'usage'],
      [3, 'auth'],
      [4, 'invalid'],
      [5, 'conflict'],
      [6, 'not converged'],
      [7, 'not found'],
    ]);
  });

  it('are the ones the README documents', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| exit code | meaning |'));
    const rows = [...table.matchAll(/^\| (\d) \| /gm)].map((m) => Number(m[1]));
    expect(rows).toEqual(codes);
  });
});
