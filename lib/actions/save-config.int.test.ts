import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rollbackConfig } from '@/lib/actions/rollback-config';
import { saveConfig } from '@/lib/actions/save-config';
import type { SaveConfigInput } from '@/lib/schemas/versions';
import { type Principal } from '@/lib/auth/principal';
import { configKey } from '@/lib/contract/cache-layout';
import { createApp } from '@/lib/db/apps';
import { collections, ensureIndexes, type Author } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { primaryRedis } from '@/lib/redis/clients';
import { MAX_CONFIG_BYTES, SECRET_UNCHANGED, type AppConfig } from '@/lib/schemas/config';
import { generateSecret } from '@/lib/schemas/secret-strength';
import { maskSecrets, secretValues, WEAK_STORED } from '@/lib/secrets';
import { configWithSecrets as configHolding } from '@/test/helpers/config-arbitraries';
import { testPrincipal } from '@/test/helpers/principals';
import { closeStores } from '@/test/helpers/stores';

const run = randomBytes(4).toString('hex');
const tenantId = `t-${run}`;
const otherTenantId = `t-${run}-other`;
const author: Author = { userId: 'seed', name: 'Test seed', email: 'seed@example.test' };
const appIds: string[] = [];

const person = (role: 'admin' | 'viewer' | 'support', tenant: string | null): Principal =>
  testPrincipal(role, tenant, run);
const admin = person('admin', tenantId);
const viewer = person('viewer', tenantId);
const support = person('support', null);

const GOOGLE_SECRET = `gsec-${run}-${randomBytes(16).toString('hex')}`;
const WEBHOOK_SECRET = `whsec-${run}-${randomBytes(16).toString('hex')}`;

const configWithSecrets = (): AppConfig =>
  configHolding([GOOGLE_SECRET, WEBHOOK_SECRET], 'Secret app');

/** The config as the editor holds it: every secret masked. */
const edited = (change: (c: AppConfig) => AppConfig) => change(maskSecrets(configWithSecrets()));

async function newApp(suffix: string, tenant = tenantId, config = configWithSecrets()) {
  const id = `sc-${run}-${suffix}`;
  appIds.push(id);
  await createApp({
    id,
    tenantId: tenant,
    name: `App ${suffix}`,
    description: '',
    config,
    author,
    message: 'Created',
  });
  return id;
}

async function versionCount(): Promise<number> {
  const c = await collections();
  return c.configVersions.countDocuments({ appId: { $in: appIds } });
}

const withIdle = (c: AppConfig, minutes: number): AppConfig => ({
  ...c,
  sessions: { ...c.sessions, idleTimeoutMinutes: minutes },
});

let appId: string;
let foreignAppId: string;

beforeAll(async () => {
  await ensureIndexes();
  appId = await newApp('main');
  foreignAppId = await newApp('foreign', otherTenantId);
});

afterAll(async () => {
  const c = await collections();
  await c.configVersions.deleteMany({ appId: { $in: appIds } });
  await c.apps.deleteMany({ _id: { $in: appIds } });
  await c.audit.deleteMany({ appId: { $in: appIds } });
  await primaryRedis().del(...appIds.map(configKey));
  await closeStores();
});

describe('saveConfig refuses bad input and writes nothing', () => {
  const valid = () => edited((c) => withIdle(c, 77));
  const big = 'a'.repeat(MAX_CONFIG_BYTES + 10);
  /** A save of the valid config with `patch` written over one of its sections. */
  const withSection =
    <K extends keyof AppConfig>(section: K, patch: Record<string, unknown>) =>
    () => ({
      appId,
      baseVersion: 1,
      config: { ...valid(), [section]: { ...valid()[section], ...patch } },
    });
  const cases: {
    name: string;
    input: () => unknown;
    principal?: Principal | null;
    expect: Record<string, unknown>;
    field?: string;
    text?: RegExp;
  }[] = [
    {
      name: 'oversized payload',
      input: withSection('branding', { displayName: big }),
      expect: { status: 'invalid' },
      field: '_form',
      text: /too large .* limit is 256 KB/,
    },
    {
      name: 'unknown field in the config',
      input: () => ({ appId, baseVersion: 1, config: { ...valid(), superAdmin: true } }),
      expect: { status: 'invalid' },
      field: '_form',
      text: /“superAdmin” is not a recognised setting/,
    },
    {
      name: 'unknown nested field',
      input: withSection('mfa', { bypass: true }),
      expect: { status: 'invalid' },
      field: 'mfa',
      text: /“bypass” is not a recognised setting/,
    },
    {
      name: 'unknown top-level field',
      input: () => ({ appId, baseVersion: 1, config: valid(), force: true }),
      expect: { status: 'invalid' },
    },
    {
      name: 'wrong type (string for a number)',
      input: withSection('passwordPolicy', { minLength: '12' }),
      expect: { status: 'invalid' },
      field: 'passwordPolicy.minLength',
      text: /Enter a number/,
    },
    {
      name: 'wrong type (object for a list)',
      input: withSection('urls', { redirectUrls: { $gt: '' } }),
      expect: { status: 'invalid' },
      field: 'urls.redirectUrls',
    },
    {
      name: '$where in a string',
      input: withSection('branding', { displayName: '$where' }),
      expect: { status: 'invalid' },
      field: 'branding.displayName',
      text: /can’t start with “\$”/,
    },
    {
      name: '$gt as a key',
      input: withSection('rateLimits', { $gt: 1 }),
      expect: { status: 'invalid' },
      field: 'rateLimits',
      text: /can’t start with “\$”/,
    },
    {
      name: '$where as a top-level config key',
      input: () => ({ appId, baseVersion: 1, config: { ...valid(), $where: 'sleep(1000)' } }),
      expect: { status: 'invalid' },
      field: '_form',
    },
    {
      name: '$gt as the app id',
      input: () => ({ appId: { $gt: '' }, baseVersion: 1, config: valid() }),
      expect: { status: 'invalid' },
      field: 'appId',
    },
    {
      name: '$where in the change message',
      input: () => ({ appId, baseVersion: 1, config: valid(), message: '$where' }),
      expect: { status: 'invalid' },
      field: 'message',
    },
    {
      name: 'invalid redirect URL',
      input: withSection('urls', { redirectUrls: ['javascript:alert(1)'] }),
      expect: { status: 'invalid' },
      field: 'urls.redirectUrls.0',
      text: /Enter a full URL/,
    },
    {
      name: 'unknown app id',
      input: () => ({ appId: `nope-${run}`, baseVersion: 1, config: valid() }),
      expect: { status: 'error', code: 'not_found', message: 'App not found.' },
    },
    {
      name: 'foreign app id',
      input: () => ({ appId: foreignAppId, baseVersion: 1, config: valid() }),
      expect: { status: 'error', code: 'not_found', message: 'App not found.' },
    },
    {
      name: 'viewer',
      principal: viewer,
      input: () => ({ appId, baseVersion: 1, config: valid() }),
      expect: { status: 'error', code: 'forbidden' },
    },
    {
      name: 'support',
      principal: support,
      input: () => ({ appId, baseVersion: 1, config: valid() }),
      expect: { status: 'error', code: 'forbidden' },
    },
    {
      name: 'signed out',
      principal: null,
      input: () => ({ appId, baseVersion: 1, config: valid() }),
      expect: { status: 'error', code: 'unauthenticated' },
    },
    {
      name: 'a new provider without its secret',
      input: () => ({
        appId,
        baseVersion: 1,
        config: edited((c) => ({
          ...c,
          signIn: {
            ...c.signIn,
            social: [
              ...c.signIn.social,
              { provider: 'github', clientId: 'gh-1', clientSecret: SECRET_UNCHANGED },
            ],
          },
        })),
      }),
      expect: { status: 'invalid' },
      field: 'signIn.social.1.clientSecret',
      text: /Enter the client secret/,
    },
    {
      name: 'nothing changed',
      input: () => ({ appId, baseVersion: 1, config: edited((c) => c) }),
      expect: { status: 'invalid' },
      field: '_form',
      text: /Nothing changed/,
    },
  ];

  it.each(cases)('$name', async (c) => {
    const before = await versionCount();
    const result = await saveConfig.run(c.principal === undefined ? admin : c.principal, c.input());
    expect(result).toMatchObject(c.expect);
    if (c.field) {
      expect(result.status).toBe('invalid');
      if (result.status !== 'invalid') return;
      expect(Object.keys(result.fieldErrors)).toContain(c.field);
      if (c.text) expect(result.fieldErrors[c.field]?.join(' ')).toMatch(c.text);
    }
    expect(result.status !== 'idle' && result.message).toBeTruthy();
    expect(await versionCount()).toBe(before);
    expect(JSON.stringify(result)).not.toContain(GOOGLE_SECRET);
  });
});

describe('saveConfig', () => {
  it('saves, pushes to the primary cache, keeps unchanged secrets, and never returns one', async () => {
    const id = await newApp('save');
    const input: SaveConfigInput = {
      appId: id,
      baseVersion: 1,
      config: edited((c) => withIdle(c, 45)),
      message: 'Shorter idle timeout',
    };
    const result = await saveConfig.run(admin, input);
    expect(result).toMatchObject({
      status: 'ok',
      data: { appId: id, version: 2, pushed: true },
      message: 'Saved as v2',
    });
    expect(JSON.stringify(result)).not.toContain(GOOGLE_SECRET);
    expect(JSON.stringify(result)).not.toContain(WEBHOOK_SECRET);

    const head = await readHead(id);
    expect(head).toMatchObject({
      version: 2,
      message: 'Shorter idle timeout',
      author: { userId: admin.id },
    });
    expect(head?.data.sessions.idleTimeoutMinutes).toBe(45);
    expect(secretValues(head!.data)).toEqual([GOOGLE_SECRET, WEBHOOK_SECRET]);
    expect(head?.pushedAt).toBeInstanceOf(Date);

    const cached = await primaryRedis().hgetall(configKey(id));
    expect(cached).toMatchObject({ version: '2', checksum: head!.checksum });

    const c = await collections();
    const audit = await c.audit.findOne({ appId: id, action: 'config.saved' });
    expect(audit?.summary).toMatch(/^v2: 1 change: Sessions › Idle timeout/);
    expect(audit?.details).toMatchObject({ version: 2, changes: 1 });
    expect(JSON.stringify(audit)).not.toContain(GOOGLE_SECRET);
  });

  it('replaces a secret only when a new one is typed', async () => {
    const id = await newApp('rotate');
    const rotated = `rotated-${randomBytes(16).toString('hex')}`;
    const result = await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: edited((c) => ({
        ...c,
        webhooks: c.webhooks.map((w) => ({ ...w, signingSecret: rotated })),
      })),
    });
    expect(result.status).toBe('ok');
    expect(JSON.stringify(result)).not.toContain(rotated);
    const head = await readHead(id);
    expect(head?.data.webhooks[0]?.signingSecret).toBe(rotated);
    expect(head?.data.signIn.social[0]?.clientSecret).toBe(GOOGLE_SECRET);
  });

  it('refuses a new weak secret, and a save that keeps a weak one stored before the rule', async () => {
    const legacy = configWithSecrets();
    legacy.webhooks[0]!.signingSecret = 'whsec_orders_2023'; // stored before secrets had to be strong
    const id = await newApp('weak', tenantId, legacy);
    // It still loads, masked, like any stored version.
    expect((await readHead(id))?.data.webhooks[0]?.signingSecret).toBe('whsec_orders_2023');

    const kept = await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: edited((c) => withIdle(c, 45)),
    });
    expect(kept).toMatchObject({
      status: 'invalid',
      fieldErrors: { 'webhooks.0.signingSecret': [WEAK_STORED] },
    });
    expect(JSON.stringify(kept)).not.toContain('whsec_orders_2023');

    const weakNew = await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: edited((c) => ({
        ...withIdle(c, 45),
        webhooks: c.webhooks.map((w) => ({ ...w, signingSecret: 'orders-hook-key-2024' })),
      })),
    });
    expect(weakNew.status === 'invalid' && weakNew.fieldErrors['webhooks.0.signingSecret']).toEqual(
      [expect.stringMatching(/^Too short/)],
    );

    const replaced = await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: edited((c) => ({
        ...withIdle(c, 45),
        webhooks: c.webhooks.map((w) => ({ ...w, signingSecret: generateSecret() })),
      })),
    });
    expect(replaced.status).toBe('ok');
    expect((await readHead(id))?.version).toBe(2);
  });

  it('refuses a save from an older version with what the other person changed', async () => {
    const id = await newApp('conflict');
    const first = await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: edited((c) => ({ ...c, branding: { ...c.branding, primaryColor: '#FF0000' } })),
      message: 'Red',
    });
    expect(first.status).toBe('ok');

    const before = await versionCount();
    const second = await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: edited((c) => withIdle(c, 30)),
    });
    expect(await versionCount()).toBe(before);
    expect(second.status).toBe('conflict');
    if (second.status !== 'conflict') return;
    expect(second.message).toMatch(/Someone else saved v2/);
    expect(second.conflict.head).toMatchObject({
      version: 2,
      authorName: admin.name,
      message: 'Red',
    });
    expect(second.conflict.theirChanges.map((ch) => ch.path)).toEqual(['branding.primaryColor']);
    expect(second.conflict.yourChanges.map((ch) => ch.path)).toEqual([
      'sessions.idleTimeoutMinutes',
    ]);
    // The head comes masked so the editor can rebase on it without seeing a secret.
    expect(second.conflict.head.config.signIn.social[0]?.clientSecret).toBe(SECRET_UNCHANGED);
    expect(JSON.stringify(second)).not.toContain(GOOGLE_SECRET);
    expect(JSON.stringify(second)).not.toContain(WEBHOOK_SECRET);

    // Re-applied on top of v2, the same change saves.
    const rebased = await saveConfig.run(admin, {
      appId: id,
      baseVersion: 2,
      config: withIdle(second.conflict.head.config, 30),
    });
    expect(rebased).toMatchObject({ status: 'ok', data: { version: 3 } });
    const head = await readHead(id);
    expect(head?.data.branding.primaryColor).toBe('#FF0000');
    expect(head?.data.sessions.idleTimeoutMinutes).toBe(30);
    expect(secretValues(head!.data)).toEqual([GOOGLE_SECRET, WEBHOOK_SECRET]);
  });

  it('of 10 concurrent saves through the action exactly one wins', async () => {
    const id = await newApp('race');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        saveConfig.run(admin, {
          appId: id,
          baseVersion: 1,
          config: edited((c) => withIdle(c, 100 + i)),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'conflict')).toHaveLength(9);
    expect((await readHead(id))?.version).toBe(2);
  });
});

describe('rollbackConfig', () => {
  it('creates a new version equal to the old one, pushed and audited', async () => {
    const id = await newApp('rollback');
    const v1 = (await readHead(id))!;
    await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: edited((c) => withIdle(c, 20)),
    });
    await saveConfig.run(admin, {
      appId: id,
      baseVersion: 2,
      config: edited((c) => withIdle(c, 25)),
    });

    const stale = await rollbackConfig.run(admin, { appId: id, toVersion: 1, baseVersion: 2 });
    expect(stale.status).toBe('conflict');
    expect(JSON.stringify(stale)).not.toContain(GOOGLE_SECRET);

    const result = await rollbackConfig.run(admin, {
      appId: id,
      toVersion: 1,
      baseVersion: 3,
      note: 'bad timeout',
    });
    expect(result).toMatchObject({
      status: 'ok',
      data: { version: 4, toVersion: 1, pushed: true },
    });
    expect(JSON.stringify(result)).not.toContain(GOOGLE_SECRET);
    const head = (await readHead(id))!;
    expect(head).toMatchObject({
      version: 4,
      rollbackOf: 1,
      message: 'Rolled back to v1: bad timeout',
      checksum: v1.checksum,
    });
    expect(head.data).toEqual(v1.data);
    expect(await primaryRedis().hget(configKey(id), 'version')).toBe('4');

    const again = await rollbackConfig.run(admin, { appId: id, toVersion: 1, baseVersion: 4 });
    expect(again.status).toBe('invalid');
    expect(again.status === 'invalid' && again.message).toMatch(/nothing to roll back/);
  });

  it('refuses unknown versions, foreign apps and read-only roles', async () => {
    const before = await versionCount();
    const refusals: [Principal, Record<string, unknown>, Record<string, unknown>][] = [
      [admin, { appId, toVersion: 99 }, { status: 'error', code: 'not_found' }],
      [
        admin,
        { appId: foreignAppId, toVersion: 1 },
        { status: 'error', message: 'App not found.' },
      ],
      [viewer, { appId, toVersion: 1 }, { status: 'error', code: 'forbidden' }],
      [admin, { appId, toVersion: '$gt' }, { status: 'invalid' }],
    ];
    for (const [principal, input, outcome] of refusals) {
      const result = await rollbackConfig.run(principal, { ...input, baseVersion: 1 });
      expect(result, JSON.stringify(input)).toMatchObject(outcome);
    }
    expect(await versionCount()).toBe(before);
  });
});
