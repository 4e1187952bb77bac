import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createApiToken } from '@/lib/actions/create-api-token';
import { retryPush } from '@/lib/actions/retry-push';
import { revokeApiToken } from '@/lib/actions/revoke-api-token';
import { rollbackConfig } from '@/lib/actions/rollback-config';
import { saveConfig } from '@/lib/actions/save-config';
import { GET as regionsRoute } from '@/app/api/regions/route';
import { userPrincipal } from '@/lib/auth/principal';
import { principalFromRequestCookie, SESSION_TTL_SECONDS } from '@/lib/session/session';
import { authenticate, INVALID_CREDENTIALS } from '@/lib/session/sign-in';
import { BURST_CHECKED, limiterKeys, rules } from '@/lib/session/sign-in-limits';
import { configKey } from '@/lib/contract/cache-layout';
import { createApp } from '@/lib/db/apps';
import { collections, type AuditDoc } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { changeTenantUser } from '@/lib/db/tenant-admins';
import { revokeUserSessions } from '@/lib/db/users';
import { captureLogs } from '@/lib/log';
import { primaryRedis } from '@/lib/redis/clients';
import { defaultConfig } from '@/lib/schemas/config';
import { maskSecrets } from '@/lib/secrets';
import {
  createTestUser,
  requestWith,
  runId,
  sessionCookie,
  sessionSetCookie,
} from '@/test/helpers/auth';
import { closeStores } from '@/test/helpers/stores';

const run = runId();
const tenant = `si-${run}`;
const PASSWORD = `right-${run}`;

/** A fresh documentation-range address per test, so limits never leak between tests or runs. */
function freshIp(): string {
  return `198.18.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** Every limiter key an attempt may touch, removed after the run. */
const tried = new Set<string>();
async function attempt(email: string, password: string, ip: string) {
  for (const key of Object.values(limiterKeys(email, ip))) tried.add(key);
  return authenticate({ email, password }, meta(ip));
}

/** Disables or re-enables a viewer through the data layer the Users page uses. */
async function setDisabled(userId: string, disabled: boolean) {
  const change = await changeTenantUser({
    userId,
    tenantId: tenant,
    from: { role: 'viewer', disabled: !disabled },
    to: { role: 'viewer', disabled },
  });
  expect(change.status).toBe('changed');
}

async function newUser(label: string, role: 'admin' | 'viewer' = 'admin') {
  const email = `${label}-${run}@example.test`;
  return createTestUser({
    id: `si-${label}-${run}`,
    role,
    tenantId: tenant,
    email,
    password: PASSWORD,
  });
}

const meta = (ip: string) => ({ ip, userAgent: `sign-in-test/${run}` });

async function auditFor(filter: Partial<Record<string, unknown>>): Promise<AuditDoc[]> {
  const c = await collections();
  return c.audit.find(filter).sort({ at: 1 }).toArray();
}

async function regionsAs(cookie: string): Promise<number> {
  const response = await regionsRoute(requestWith({ kind: 'cookie', cookie }, '/api/regions'), {
    params: Promise.resolve({}),
  });
  return response.status;
}

afterAll(async () => {
  const c = await collections();
  await Promise.all([
    c.users.deleteMany({ _id: { $regex: `^si-.*-${run}$` } }),
    c.apps.deleteMany({ tenantId: tenant }),
    c.configVersions.deleteMany({ tenantId: tenant }),
    c.apiTokens.deleteMany({ tenantId: tenant }),
    primaryRedis().del(configKey(`si-${run}-app`), ...tried),
  ]);
  await closeStores();
});

describe('sign-in', () => {
  it('gives an unknown email and a wrong password the same answer, in about the same time', async () => {
    const user = await newUser('same');
    const ip = freshIp();
    const timed = async (email: string) => {
      const started = performance.now();
      const outcome = await attempt(email, 'wrong-password', ip);
      return { outcome, ms: performance.now() - started };
    };
    // The dummy hash is made once per process; make it before timing anything.
    await timed(`warm-up-${run}@example.test`);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const a = await timed(`nobody-${i}-${run}@example.test`);
      const b = await timed(user.email);
      expect(a.outcome).toEqual({ ok: false, reason: 'invalid' });
      expect(b.outcome).toEqual(a.outcome);
      unknown.push(a.ms);
      wrong.push(b.ms);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
    console.log(
      `sign-in refusal: "${INVALID_CREDENTIALS}" — median ${median(unknown).toFixed(0)} ms for an unknown email, ${median(wrong).toFixed(0)} ms for a wrong password`,
    );
    // Without the dummy hash an unknown email is answered ~50× faster (no scrypt); this only
    // checks that both sides pay for one hash, with a wide margin for a busy machine.
    expect(median(unknown)).toBeGreaterThan(median(wrong) / 3);
    expect(median(unknown)).toBeLessThan(median(wrong) * 3);
    expect(INVALID_CREDENTIALS).not.toMatch(/email.*(unknown|not found|exist)/i);
    expect((await attempt(user.email, PASSWORD, ip)).ok).toBe(true);
  });

  it('refuses a disabled account with the same answer, even with the right password', async () => {
    const user = await newUser('disabled', 'viewer');
    await setDisabled(user._id, true);
    expect(await attempt(user.email, PASSWORD, freshIp())).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it(`checks at most ${BURST_CHECKED} of 200 parallel wrong passwords against the password`, async () => {
    const user = await newUser('burst');
    const ip = freshIp();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => attempt(user.email, `burst-${i}`, ip)),
    );
    // "invalid" is only ever answered after the password was checked.
    const checked = outcomes.filter((o) => !o.ok && o.reason === 'invalid').length;
    const refused = outcomes.filter((o) => !o.ok && o.reason === 'rate_limited').length;
    console.log(`200 parallel wrong passwords: ${checked} checked, ${refused} refused unchecked`);
    expect(checked).toBeLessThanOrEqual(BURST_CHECKED);
    expect(checked + refused).toBe(200);
    // Refused attempts are audited once per account, IP and window, not 195 times.
    const refusals = await auditFor({ 'actor.name': user.email, 'details.reason': 'rate_limited' });
    expect(refusals).toHaveLength(1);
  });

  it('makes one guesser wait twice as long each time, and never locks the account for others', async () => {
    const user = await newUser('guessed');
    const guesser = freshIp();
    for (let i = 0; i < rules.pair.free; i += 1) {
      expect(await attempt(user.email, `guess-${i}`, guesser)).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
    const held = await attempt(user.email, PASSWORD, guesser);
    expect(held).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await attempt(user.email, 'guess-again', guesser)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    // Two seconds from when the last attempt was counted; its password check (slow on a busy
    // machine) has used part of them already.
    const doubled = await attempt(user.email, 'guess-again', guesser);
    if (doubled.ok || doubled.reason !== 'rate_limited') throw new Error('not held back');
    expect([1, 2]).toContain(doubled.retryAfterSeconds);
    // The account's owner, from their own address, is not kept out by the guesser.
    expect((await attempt(user.email, PASSWORD, freshIp())).ok).toBe(true);
  });

  it('slows a guesser spread over many IPs, but not the owner signing in from a known IP', async () => {
    const user = await newUser('distributed');
    const home = freshIp();
    expect((await attempt(user.email, PASSWORD, home)).ok).toBe(true);
    for (let i = 0; i < rules.account.free; i += 1) {
      await attempt(user.email, `spread-${i}`, `198.19.${i}.${randomInt(1, 255)}`);
    }
    expect(await attempt(user.email, 'one-more', freshIp())).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
    expect((await attempt(user.email, PASSWORD, home)).ok).toBe(true);
  });

  it(`blocks an IP after ${rules.ip.cap} attempts across accounts`, async () => {
    const ip = freshIp();
    for (let i = 0; i < rules.ip.cap; i += 1) {
      await attempt(`spray-${i}-${run}@example.test`, 'Winter2026!', ip);
    }
    const user = await newUser('from-blocked-ip');
    expect(await attempt(user.email, PASSWORD, ip)).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
    // The same person from elsewhere still gets in: the block is on the IP, not the account.
    expect((await attempt(user.email, PASSWORD, freshIp())).ok).toBe(true);
  });

  it('audits sign-in success and failure with who, IP and user agent', async () => {
    const user = await newUser('audited');
    const ip = freshIp();
    await attempt(user.email, 'nope', ip);
    await attempt(user.email, PASSWORD, ip);
    const entries = await auditFor({ 'actor.name': user.email, ip });
    expect(entries.map((e) => [e.action, e.details.reason ?? null])).toEqual([
      ['sign_in.failed', 'wrong_password'],
      ['sign_in.succeeded', null],
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ tenantId: tenant, userAgent: `sign-in-test/${run}` });
    }
  });
});

describe('sessions', () => {
  it('writes an httpOnly, SameSite=Lax cookie for the whole site that expires in 8 hours', async () => {
    const user = await newUser('cookie');
    const header = await sessionSetCookie(user);
    const attributes = header.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes[0]).toMatch(/^propagate_session=fe26\.2\*/);
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    // iron-session ends the cookie a minute before the seal, so the browser never sends a dead one.
    expect(attributes).toContain(`max-age=${SESSION_TTL_SECONDS - 60}`);
    // Secure is set when NODE_ENV is production (checked in e2e/roles.spec.ts on the real server).
    expect(attributes).not.toContain('secure');
  });

  it('expires a session 8 hours after sign-in, whatever the cookie says', async () => {
    const user = await newUser('expiry');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() - (SESSION_TTL_SECONDS - 60) * 1000);
      const recent = await sessionCookie(user);
      vi.setSystemTime(Date.now() - 2 * 60 * 1000);
      const old = await sessionCookie(user);
      vi.useRealTimers();
      const principalOf = (cookie: string) =>
        principalFromRequestCookie(requestWith({ kind: 'cookie', cookie }, '/'));
      expect((await principalOf(recent))?.id).toBe(user._id);
      expect(await principalOf(old)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops a disabled user at their next request', async () => {
    const user = await newUser('disable-live', 'viewer');
    const cookie = await sessionCookie(user);
    expect(await regionsAs(cookie)).toBe(200);
    await setDisabled(user._id, true);
    expect(await regionsAs(cookie)).toBe(401);
    // Re-enabling does not bring the old session back: it was revoked, not paused.
    await setDisabled(user._id, false);
    expect(await regionsAs(cookie)).toBe(401);
  });

  it('ends every session of a user who signs out, including copies of the cookie', async () => {
    const user = await newUser('sign-out');
    const cookie = await sessionCookie(user);
    expect(await regionsAs(cookie)).toBe(200);
    await revokeUserSessions({ id: user._id });
    expect(await regionsAs(cookie)).toBe(401);
  });

  it('refuses a tampered cookie', async () => {
    const user = await newUser('tampered');
    const cookie = await sessionCookie(user);
    const lines: string[] = [];
    const restore = captureLogs((line) => lines.push(line));
    try {
      const tampered = cookie.slice(0, -4) + (cookie.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      expect(await regionsAs(tampered)).toBe(401);
      expect(lines.join('')).toContain('"msg":"session cookie refused"');
    } finally {
      restore();
    }
  });
});

describe('audit entries for audited actions', () => {
  const appId = `si-${run}-app`;
  let admin: ReturnType<typeof userPrincipal>;

  beforeAll(async () => {
    admin = userPrincipal(await newUser('actor'));
    await createApp({
      id: appId,
      tenantId: tenant,
      name: 'Audited app',
      description: '',
      config: defaultConfig('Audited app'),
      author: { userId: 'seed', name: 'Seed', email: 'seed@example.test' },
      message: 'first',
    });
  });

  async function entriesSince(since: Date) {
    return (await auditFor({ tenantId: tenant, ip: '192.0.2.44' })).filter((e) => e.at >= since);
  }
  const actionMeta = { ip: '192.0.2.44', userAgent: `audit-test/${run}` };

  it('records save, rollback, push retry, token created and token revoked with who, what, IP and user agent', async () => {
    const since = new Date();
    const head = await readHead(appId);
    if (!head) throw new Error('no head');
    const config = maskSecrets(head.data);
    const saved = await saveConfig.run(
      admin,
      {
        appId,
        baseVersion: head.version,
        config: { ...config, branding: { ...config.branding, displayName: 'Audited' } },
        message: 'rename',
      },
      actionMeta,
    );
    expect(saved.status).toBe('ok');
    const rolled = await rollbackConfig.run(
      admin,
      { appId, toVersion: head.version, baseVersion: head.version + 1, note: '' },
      actionMeta,
    );
    expect(rolled.status).toBe('ok');
    const support = userPrincipal(
      await createTestUser({ id: `si-support-${run}`, role: 'support', tenantId: null }),
    );
    const retried = await retryPush.run(support, { appId }, actionMeta);
    expect(retried.status).toBe('ok');
    const created = await createApiToken.run(admin, { name: 'CI', scope: 'read' }, actionMeta);
    if (created.status !== 'ok') throw new Error(JSON.stringify(created));
    const revoked = await revokeApiToken.run(
      admin,
      { tokenId: created.data.token._id },
      actionMeta,
    );
    expect(revoked.status).toBe('ok');

    const entries = await entriesSince(since);
    expect(entries.map((e) => e.action)).toEqual([
      'config.saved',
      'config.rolled_back',
      'push.retried',
      'token.created',
      'token.revoked',
    ]);
    for (const e of entries) {
      const who = e.action === 'push.retried' ? support : admin;
      expect(e.actor).toEqual({ kind: 'user', id: who.id, name: who.email });
      expect(e.userAgent).toBe(`audit-test/${run}`);
    }
    const [save, rollback, retry, create, revoke] = entries;
    expect(save).toMatchObject({ appId, details: { version: head.version + 1 } });
    expect(save?.summary).toContain('Branding');
    expect(rollback).toMatchObject({
      appId,
      details: { version: head.version + 2, rollbackOf: head.version },
    });
    expect(retry).toMatchObject({
      appId,
      tenantId: tenant,
      details: { version: head.version + 2, pushed: true },
    });
    expect(create?.summary).toBe('Created API token “CI” (read only)');
    expect(create?.details).toMatchObject({ tokenId: created.data.token._id, scope: 'read' });
    // The secret is never written to the audit log.
    expect(JSON.stringify(create)).not.toContain(created.data.secret);
    expect(revoke?.summary).toBe('Revoked API token “CI”');

    // Revoking again changes nothing and records nothing.
    const again = await revokeApiToken.run(admin, { tokenId: created.data.token._id }, actionMeta);
    expect(again).toMatchObject({ status: 'ok', message: 'Token “CI” was already revoked.' });
    expect(await entriesSince(since)).toHaveLength(5);
  });
});
