import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections } from '@/lib/db/collections';
import { searchUsersPage } from '@/lib/db/users';
import { createTestUser, runId } from '@/test/helpers/auth';
import { closeStores } from '@/test/helpers/stores';

/**
 * The Users page's list for an organisation with many people, against MongoDB over the wire:
 * pages of 25 by email, searched by email or name, never across tenants (support excepted).
 */
const run = runId();
const big = `crowd-${run}`;
const other = `other-${run}`;
const COUNT = 60;

beforeAll(async () => {
  for (let i = 0; i < COUNT; i++) {
    const n = String(i).padStart(2, '0');
    await createTestUser({
      id: `crowd-${n}-${run}`,
      role: i === 0 ? 'admin' : 'viewer',
      tenantId: big,
      email: `person${n}-${run}@crowd.test`,
    });
  }
  await createTestUser({
    id: `stranger-${run}`,
    role: 'admin',
    tenantId: other,
    email: `person99-${run}@other.test`,
  });
}, 60_000);

afterAll(async () => {
  const c = await collections();
  await c.users.deleteMany({ tenantId: { $in: [big, other] } });
  await closeStores();
});

describe('the users list of a large organisation', () => {
  it('pages by email, 25 at a time, and clamps a page past the end', async () => {
    const first = await searchUsersPage({ tenantId: big });
    expect(first).toMatchObject({ total: COUNT, page: 1, pageCount: 3 });
    expect(first.users).toHaveLength(25);
    expect(first.users[0]?.email).toBe(`person00-${run}@crowd.test`);
    const last = await searchUsersPage({ tenantId: big, page: 99 });
    expect(last.page).toBe(3);
    expect(last.users.map((u) => u.email)).toEqual(
      Array.from({ length: 10 }, (_, i) => `person${50 + i}-${run}@crowd.test`),
    );
    // The list never carries password hashes to the page.
    expect(first.users.every((u) => !('passwordHash' in u))).toBe(true);
  });

  it('searches by email or name, inside the tenant only', async () => {
    const byEmail = await searchUsersPage({ tenantId: big, query: `PERSON4` });
    expect(byEmail.total).toBe(10);
    const byName = await searchUsersPage({ tenantId: big, query: `crowd-07-${run}` });
    expect(byName.users.map((u) => u._id)).toEqual([`crowd-07-${run}`]);
    const stranger = await searchUsersPage({ tenantId: big, query: 'person99' });
    expect(stranger.total).toBe(0);
    const regexLike = await searchUsersPage({ tenantId: big, query: '.*' });
    expect(regexLike.total).toBe(0);
  });

  it('lets support search every tenant', async () => {
    const all = await searchUsersPage({ query: `-${run}@` });
    expect(all.total).toBe(COUNT + 1);
    expect(new Set(all.users.map((u) => u.tenantId))).toEqual(new Set([big]));
    const last = await searchUsersPage({ query: `-${run}@`, page: 3 });
    expect(last.users.at(-1)?.tenantId).toBe(other);
  });
});
