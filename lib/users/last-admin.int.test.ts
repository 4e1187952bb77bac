import { afterAll, describe, expect, it } from 'vitest';

import { changeUserRole } from '@/lib/actions/change-user-role';
import { setUserDisabled } from '@/lib/actions/set-user-disabled';
import { userPrincipal } from '@/lib/auth/principal';
import { collections } from '@/lib/db/collections';
import { readAdminCount } from '@/lib/db/tenant-admins';
import { createTestUser, runId } from '@/test/helpers/auth';
import { closeStores } from '@/test/helpers/stores';

/**
 * The last-admin guard under concurrency, through the actions the Users page calls and MongoDB
 * over the wire: admins who take each other's admin rights away at the same moment must never
 * leave their organisation without an enabled admin.
 */
const run = runId();
const ROUNDS = 30;
const meta = { ip: '203.0.113.30', userAgent: 'last admin test' };

afterAll(async () => {
  const c = await collections();
  const tenants = { $regex: `^la-${run}-` };
  await Promise.all([
    c.users.deleteMany({ tenantId: tenants }),
    c.tenantAdmins.deleteMany({ _id: tenants }),
    c.audit.deleteMany({ tenantId: tenants }),
  ]);
  await closeStores();
});

async function tenantWithAdmins(round: string, count: number) {
  const tenantId = `la-${run}-${round}`;
  const admins = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      createTestUser({ id: `la-${round}-${i}-${run}`, role: 'admin', tenantId }),
    ),
  );
  return { tenantId, admins, principals: admins.map((a) => userPrincipal(a)) };
}

async function enabledAdmins(tenantId: string): Promise<number> {
  const c = await collections();
  return c.users.countDocuments({ tenantId, role: 'admin', disabled: false });
}

describe('the last admin of a tenant', () => {
  it('survives two admins demoting each other at the same moment, every time', async () => {
    const outcomes = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const { tenantId, admins, principals } = await tenantWithAdmins(`demote${round}`, 2);
      const [a, b] = admins as [(typeof admins)[0], (typeof admins)[0]];
      const [pa, pb] = principals as [(typeof principals)[0], (typeof principals)[0]];
      const results = await Promise.all([
        changeUserRole.run(pa, { userId: b._id, role: 'viewer' }, meta),
        changeUserRole.run(pb, { userId: a._id, role: 'viewer' }, meta),
      ]);
      const key = results.map((r) => r.status).join('+');
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'invalid');
      expect(refused?.message).toContain('is the only admin of this organisation');
      expect(await enabledAdmins(tenantId)).toBe(1);
      expect(await readAdminCount(tenantId)).toBe(1);
    }
    console.log(`concurrent demotions over ${ROUNDS} rounds:`, Object.fromEntries(outcomes));
  });

  it('survives a demotion and a disable racing, and three admins removing each other', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const pair = await tenantWithAdmins(`mixed${round}`, 2);
      const [a, b] = pair.admins as [(typeof pair.admins)[0], (typeof pair.admins)[0]];
      const [pa, pb] = pair.principals as [
        (typeof pair.principals)[0],
        (typeof pair.principals)[0],
      ];
      const mixed = await Promise.all([
        setUserDisabled.run(pa, { userId: b._id, disabled: 'true' }, meta),
        changeUserRole.run(pb, { userId: a._id, role: 'viewer' }, meta),
      ]);
      expect(mixed.filter((r) => r.status === 'ok')).toHaveLength(1);
      expect(await enabledAdmins(pair.tenantId)).toBe(1);
      expect(await readAdminCount(pair.tenantId)).toBe(1);

      const trio = await tenantWithAdmins(`trio${round}`, 3);
      const ids = trio.admins.map((u) => u._id);
      const ring = await Promise.all(
        trio.principals.map((p, i) =>
          changeUserRole.run(p, { userId: ids[(i + 1) % 3]!, role: 'viewer' }, meta),
        ),
      );
      // Two of the three may go; the third finds itself the last one.
      expect(ring.filter((r) => r.status === 'ok')).toHaveLength(2);
      expect(await enabledAdmins(trio.tenantId)).toBe(1);
      expect(await readAdminCount(trio.tenantId)).toBe(1);
    }
  });

  it('counts an admin who is re-enabled or promoted again', async () => {
    const { tenantId, admins, principals } = await tenantWithAdmins('restore', 2);
    const [a, b] = admins as [(typeof admins)[0], (typeof admins)[0]];
    const pa = principals[0]!;
    expect((await setUserDisabled.run(pa, { userId: b._id, disabled: 'true' }, meta)).status).toBe(
      'ok',
    );
    expect(await readAdminCount(tenantId)).toBe(1);
    const self = await changeUserRole.run(pa, { userId: a._id, role: 'viewer' }, meta);
    expect(self.status === 'invalid' && self.message).toContain('is the only admin');
    expect((await setUserDisabled.run(pa, { userId: b._id, disabled: 'false' }, meta)).status).toBe(
      'ok',
    );
    expect(await readAdminCount(tenantId)).toBe(2);
    expect((await changeUserRole.run(pa, { userId: a._id, role: 'viewer' }, meta)).status).toBe(
      'ok',
    );
    expect(await enabledAdmins(tenantId)).toBe(1);
    expect(await readAdminCount(tenantId)).toBe(1);
  });
});
