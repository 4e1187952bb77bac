import { describe, expect, it } from 'vitest';
import type { ConfigVersionDoc } from '@/lib/db/collections';
import type { HeadRecord } from '@/lib/db/heads';
import { headsMissingFromPrimary, newestPerApp } from './select';

const version = (appId: string, v: number): ConfigVersionDoc =>
  ({ appId, version: v }) as ConfigVersionDoc;
const head = (appId: string, v: number): HeadRecord => ({
  appId,
  tenantId: 't',
  version: v,
  checksum: `c${v}`,
  createdAt: new Date(0),
  pushedAt: null,
});
const stamp = (v: number) => ({ version: v, checksum: `c${v}`, committedAt: 0, pushedAt: 0 });

describe('newestPerApp', () => {
  it('keeps the newest due version of each app, in the order apps first appear (oldest first)', () => {
    const due = [
      version('a', 2),
      version('b', 5),
      version('a', 3),
      version('a', 4),
      version('b', 6),
    ];
    expect(newestPerApp(due).map((d) => `${d.appId}${d.version}`)).toEqual(['a4', 'b6']);
  });

  it('is empty for an empty outbox', () => {
    expect(newestPerApp([])).toEqual([]);
  });
});

describe('headsMissingFromPrimary', () => {
  it.each([
    ['missing key', null, true],
    ['older version', stamp(1), true],
    ['the head itself', stamp(2), false],
    ['a newer version (not ours to overwrite)', stamp(3), false],
  ])('%s', (_name, primaryStamp, repush) => {
    expect(headsMissingFromPrimary([head('a', 2)], [primaryStamp])).toHaveLength(repush ? 1 : 0);
  });
});
