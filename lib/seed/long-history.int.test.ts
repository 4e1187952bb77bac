import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GET as listVersions } from '@/app/api/apps/[appId]/versions/route';
import { listHistory } from '@/lib/db/config-versions';
import { parseHistorySearch } from '@/lib/schemas/history';
import { longHistoryMessage, seedLongHistory } from '@/lib/seed/long-history';
import { createTestUser, requestWith, runId, sessionCookie } from '@/test/helpers/auth';
import { removeApps } from '@/test/helpers/propagation';
import { closeStores } from '@/test/helpers/stores';

/**
 * History at length, against MongoDB over the wire: an app with 5 000 versions is read a page
 * at a time by version cursor, and searched by version number, message and author, through the
 * data layer and through the versions route the history pickers call.
 */
const run = runId();
const tenantId = `hist-${run}`;
const appId = `long-${run}`;
const VERSIONS = 5_000;
let cookie = '';

beforeAll(async () => {
  await seedLongHistory({ appId, tenantId, name: 'Long history', versions: VERSIONS });
  cookie = await sessionCookie(
    await createTestUser({ id: `hist-viewer-${run}`, role: 'viewer', tenantId }),
  );
}, 120_000);

afterAll(async () => {
  await removeApps([appId]);
  await closeStores();
});

const versionsOf = (list: { version: number }[]) => list.map((v) => v.version);

describe('a history of 5 000 versions', () => {
  it('pages by version cursor in both directions', async () => {
    const first = await listHistory(appId, { limit: 25 });
    expect(versionsOf(first)).toEqual(Array.from({ length: 25 }, (_, i) => VERSIONS - i));
    const older = await listHistory(appId, { limit: 25, before: 4976 });
    expect(versionsOf(older).slice(0, 2)).toEqual([4975, 4974]);
    const newer = await listHistory(appId, { limit: 25, after: 4975 });
    expect(versionsOf(newer)).toEqual(versionsOf(first));
    const oldest = await listHistory(appId, { limit: 25, before: 3 });
    expect(versionsOf(oldest)).toEqual([2, 1]);
  });

  it('finds a version by number, and versions by message or author', async () => {
    for (const [typed, version] of [
      ['17', 17],
      ['v4990', 4990],
      ['4 990', 4990],
    ] as const) {
      const found = await listHistory(appId, { limit: 8, search: parseHistorySearch(typed) });
      expect(versionsOf(found)).toEqual([version]);
    }
    const reviews = await listHistory(appId, {
      limit: 20,
      search: parseHistorySearch('quarterly REVIEW'),
    });
    expect(versionsOf(reviews)).toEqual([
      5000, 4500, 4000, 3500, 3000, 2500, 2000, 1500, 1000, 500,
    ]);
    expect(reviews[0]?.message).toBe(longHistoryMessage(5000));
    const byAuthor = await listHistory(appId, { limit: 5, search: parseHistorySearch('chen@') });
    expect(byAuthor.every((v) => v.author.email === 'chen@acme.test')).toBe(true);
    expect(byAuthor).toHaveLength(5);
    const nothing = await listHistory(appId, { limit: 5, search: parseHistorySearch('v9999') });
    expect(nothing).toEqual([]);
    // A search pages with the same cursor.
    const olderReviews = await listHistory(appId, {
      limit: 3,
      before: 3500,
      search: parseHistorySearch('quarterly'),
    });
    expect(versionsOf(olderReviews)).toEqual([3000, 2500, 2000]);
  });

  it('answers the pickers’ route with a few versions and a next link that keeps the search', async () => {
    const ask = async (path: string) => {
      const response = await listVersions(requestWith({ kind: 'cookie', cookie }, path), {
        params: Promise.resolve({ appId }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { items: { version: number }[]; next: string | null };
    };
    expect(versionsOf((await ask(`/api/apps/${appId}/versions?q=17&limit=8`)).items)).toEqual([17]);
    expect(versionsOf((await ask(`/api/apps/${appId}/versions?q=v4990`)).items)).toEqual([4990]);
    const page = await ask(`/api/apps/${appId}/versions?q=quarterly&limit=4`);
    expect(versionsOf(page.items)).toEqual([5000, 4500, 4000, 3500]);
    expect(page.next).toContain('q=quarterly');
    expect(versionsOf((await ask(page.next ?? '')).items)).toEqual([3000, 2500, 2000, 1500]);
  });
});
