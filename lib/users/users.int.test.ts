import { afterAll, describe, expect, it } from 'vitest';

import { changePassword } from '@/lib/actions/change-password';
import { changeUserRole } from '@/lib/actions/change-user-role';
import { inviteUser } from '@/lib/actions/invite-user';
import { revokeInvitation } from '@/lib/actions/revoke-invitation';
import { setUserDisabled } from '@/lib/actions/set-user-disabled';
import { hashToken } from '@/lib/auth/api-token';
import { verifyPassword } from '@/lib/auth/password';
import { collections } from '@/lib/db/collections';
import { endSession } from '@/lib/db/sessions';
import { findUserById } from '@/lib/db/users';
import { reserveSignInAttempt } from '@/lib/session/sign-in-limiter';
import { BURST_CHECKED } from '@/lib/session/sign-in-limits';
import { acceptInvitationSchema } from '@/lib/schemas/users';
import { acceptInvitation, checkInvitation } from '@/lib/users/accept-invitation';
import { createTestUser, principalOf, runId, sessionCookie } from '@/test/helpers/auth';
import { closeStores } from '@/test/helpers/stores';

/**
 * Users of a tenant against MongoDB over the wire, with real sealed session cookies resolved
 * the way a request resolves them.
 */
const run = runId();
const tenantId = `users-${run}`;
const meta = { ip: '203.0.113.10', userAgent: 'users test' };
const cookie = (value: string) => ({ kind: 'cookie', cookie: value }) as const;

async function adminWithCookie(label: string) {
  const user = await createTestUser({ id: `u-${label}-${run}`, role: 'admin', tenantId });
  const value = await sessionCookie(user);
  const principal = await principalOf(cookie(value));
  if (!principal) throw new Error('the fixture cookie does not resolve');
  return { user, cookie: value, principal };
}

afterAll(async () => {
  const c = await collections();
  await Promise.all([
    c.users.deleteMany({ tenantId }),
    c.invitations.deleteMany({ tenantId }),
    c.sessions.deleteMany({ userId: { $regex: `-${run}$` } }),
  ]);
  await closeStores();
});

const linkToken = (path: string) => path.replace('/invite/', '');

describe('invitations', () => {
  it('store only a hash, work once, and make a user with the invited role', async () => {
    const { principal } = await adminWithCookie('inviter');
    const email = `new-${run}@example.test`;
    const invited = await inviteUser.run(principal, { email, role: 'viewer' }, meta);
    if (invited.status !== 'ok') throw new Error(JSON.stringify(invited));
    const token = linkToken(invited.data.path);
    expect(token).toMatch(/^inv_[\w-]{43}$/);

    const c = await collections();
    const stored = await c.invitations.findOne({ _id: invited.data.invitationId });
    expect(stored?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    const hours = (stored!.expiresAt.getTime() - stored!.createdAt.getTime()) / 3_600_000;
    expect(hours).toBe(72);

    const weak = { token, name: 'New Person', password: 'short', confirm: 'short' };
    // The password policy is the schema's: the action refuses a weak one before anything runs.
    expect(acceptInvitationSchema.safeParse(weak).success).toBe(false);
    const input = {
      token,
      name: 'New Person',
      password: 'a long new password',
      confirm: 'a long new password',
    };
    const [first, second] = await Promise.all([
      acceptInvitation(input, meta),
      acceptInvitation(input, meta),
    ]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    const user = await c.users.findOne({ email });
    expect(user).toMatchObject({ role: 'viewer', tenantId, disabled: false });
    expect(await verifyPassword('a long new password', user!.passwordHash)).toBe(true);
    const used = await checkInvitation(token);
    expect(!used.usable && used.reason).toMatch(/already used/);
  });

  it('expire, and stop working once revoked', async () => {
    const { principal } = await adminWithCookie('expirer');
    const c = await collections();
    const old = await inviteUser.run(
      principal,
      { email: `old-${run}@example.test`, role: 'admin' },
      meta,
    );
    if (old.status !== 'ok') throw new Error('invite failed');
    await c.invitations.updateOne(
      { _id: old.data.invitationId },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    const password = 'a long new password';
    const expired = await acceptInvitation(
      { token: linkToken(old.data.path), name: 'Late', password, confirm: password },
      meta,
    );
    expect(!expired.ok && expired.message).toMatch(/expired/);

    const pending = await inviteUser.run(
      principal,
      { email: `rev-${run}@example.test`, role: 'viewer' },
      meta,
    );
    if (pending.status !== 'ok') throw new Error('invite failed');
    expect(
      (await revokeInvitation.run(principal, { invitationId: pending.data.invitationId }, meta))
        .status,
    ).toBe('ok');
    const revoked = await acceptInvitation(
      { token: linkToken(pending.data.path), name: 'Nope', password, confirm: password },
      meta,
    );
    expect(!revoked.ok && revoked.message).toMatch(/withdrawn/);
    expect(await c.users.findOne({ email: `rev-${run}@example.test` })).toBeNull();
  });
});

describe('managing users', () => {
  it('ends every session of a disabled user at their next request, and re-enables them', async () => {
    const admin = await adminWithCookie('disabler');
    const target = await createTestUser({ id: `u-target-${run}`, role: 'viewer', tenantId });
    const browsers = [await sessionCookie(target), await sessionCookie(target)];
    for (const b of browsers) expect(await principalOf(cookie(b))).not.toBeNull();

    const off = await setUserDisabled.run(
      admin.principal,
      { userId: target._id, disabled: 'true' },
      meta,
    );
    expect(off.status).toBe('ok');
    for (const b of browsers) expect(await principalOf(cookie(b))).toBeNull();

    expect(
      (await setUserDisabled.run(admin.principal, { userId: target._id, disabled: 'false' }, meta))
        .status,
    ).toBe('ok');
    // Re-enabling does not bring the ended sessions back: the person signs in again.
    for (const b of browsers) expect(await principalOf(cookie(b))).toBeNull();
    const fresh = await sessionCookie(
      (await (await collections()).users.findOne({ _id: target._id }))!,
    );
    expect(await principalOf(cookie(fresh))).toMatchObject({ id: target._id, role: 'viewer' });
  });

  it('never demotes or disables the last admin, and nobody disables themselves', async () => {
    const lone = `lone-${run}`;
    const only = await createTestUser({ id: `u-only-${run}`, role: 'admin', tenantId: lone });
    const principal = await principalOf(cookie(await sessionCookie(only)));
    const demote = await changeUserRole.run(principal, { userId: only._id, role: 'viewer' }, meta);
    expect(demote.status === 'invalid' && demote.message).toMatch(/only admin/);
    const self = await setUserDisabled.run(principal, { userId: only._id, disabled: 'true' }, meta);
    expect(self.status === 'invalid' && self.message).toMatch(/your own account/);

    const second = await createTestUser({ id: `u-second-${run}`, role: 'admin', tenantId: lone });
    expect(
      (await changeUserRole.run(principal, { userId: second._id, role: 'viewer' }, meta)).status,
    ).toBe('ok');
    const disableLast = await setUserDisabled.run(
      await principalOf(cookie(await sessionCookie(only))),
      { userId: only._id, disabled: 'true' },
      meta,
    );
    expect(disableLast.status).toBe('invalid');
    await expect((await collections()).users.findOne({ _id: only._id })).resolves.toMatchObject({
      role: 'admin',
      disabled: false,
    });
    await (await collections()).users.deleteMany({ tenantId: lone });
  });

  it('treats another tenant’s user as not found', async () => {
    const admin = await adminWithCookie('prober');
    const foreign = await createTestUser({
      id: `u-foreign-${run}`,
      role: 'viewer',
      tenantId: `other-${run}`,
    });
    const probe = await changeUserRole.run(
      admin.principal,
      { userId: foreign._id, role: 'admin' },
      meta,
    );
    expect(probe).toMatchObject({ status: 'error', code: 'not_found' });
    await (await collections()).users.deleteOne({ _id: foreign._id });
  });
});

describe('own account', () => {
  it('changes the password with the current one and ends the other sessions only', async () => {
    const me = await createTestUser({ id: `u-me-${run}`, role: 'viewer', tenantId });
    const here = await sessionCookie(me);
    const elsewhere = await sessionCookie(me);
    const principal = await principalOf(cookie(here));
    const wrong = await changePassword.run(
      principal,
      { current: 'not it', password: 'a brand new password', confirm: 'a brand new password' },
      meta,
    );
    expect(wrong).toMatchObject({
      status: 'invalid',
      fieldErrors: { current: [expect.any(String)] },
    });
    const changed = await changePassword.run(
      principal,
      {
        current: 'test-password',
        password: 'a brand new password',
        confirm: 'a brand new password',
      },
      meta,
    );
    expect(changed.status).toBe('ok');
    expect(await principalOf(cookie(here))).not.toBeNull();
    expect(await principalOf(cookie(elsewhere))).toBeNull();
  });

  it('limits wrong current passwords like sign-in, and the right one does not slip through', async () => {
    const me = await createTestUser({ id: `u-guess-${run}`, role: 'viewer', tenantId });
    const principal = await principalOf(cookie(await sessionCookie(me)));
    const from = { ip: `198.51.100.${1 + (parseInt(run, 16) % 250)}`, userAgent: 'guesser' };
    const attempt = (current: string) =>
      changePassword.run(
        principal,
        { current, password: 'a guessed new password', confirm: 'a guessed new password' },
        from,
      );
    for (let i = 0; i < BURST_CHECKED; i++) {
      expect((await attempt(`guess ${i}`)).status).toBe('invalid');
    }
    const limited = await attempt('test-password');
    expect(limited).toMatchObject({ status: 'error', code: 'rate_limited' });
    expect(limited.status === 'error' && limited.message).toMatch(/try again in \d+ second/);
    // Sign-in and the password change share the counters: the form is held back as well.
    expect(await reserveSignInAttempt(me.email, from.ip)).toMatchObject({ ok: false });
    expect(await verifyPassword('test-password', (await findUserById(me._id))!.passwordHash)).toBe(
      true,
    );
  });

  it('signs out one browser without ending the others', async () => {
    const me = await createTestUser({ id: `u-two-${run}`, role: 'viewer', tenantId });
    const [a, b] = [await sessionCookie(me), await sessionCookie(me)];
    const sessionA = (await principalOf(cookie(a)))?.sessionId;
    if (!sessionA) throw new Error('no session id');
    await endSession(sessionA);
    expect(await principalOf(cookie(a))).toBeNull();
    expect(await principalOf(cookie(b))).not.toBeNull();
  });
});
