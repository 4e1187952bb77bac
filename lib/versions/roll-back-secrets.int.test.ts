import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GET as review, POST as rollback } from '@/app/api/apps/[appId]/rollback/route';
import { rollbackConfig } from '@/lib/actions/rollback-config';
import { saveConfig } from '@/lib/actions/save-config';
import { createApp } from '@/lib/db/apps';
import { collections } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { closeMongo } from '@/lib/db/mongo';
import { closeRedis } from '@/lib/redis/clients';
import { problemSchema, rollbackReviewSchema, rolledBackSchema } from '@/lib/schemas/api';
import { defaultConfig, type AppConfig } from '@/lib/schemas/config';
import { generateSecret } from '@/lib/schemas/secret-strength';
import { maskSecrets, secretValues } from '@/lib/secrets';
import { createTestToken, requestWith, type Credential } from '@/test/helpers/auth';
import { testPrincipal } from '@/test/helpers/principals';
import { removeApps, testAuthor } from '@/test/helpers/propagation';

/**
 * A rollback and the secrets rotated since the version it goes back to: the review names them
 * (never their values), keeping the current ones is the default in the action and the REST API,
 * restoring is explicit, the audit log records the choice, and no answer carries a secret.
 */

const run = randomBytes(4).toString('hex');
const tenantId = `rbs-${run}`;
const admin = testPrincipal('admin', tenantId, run);
const appIds: string[] = [];
const secret = (name: string) => `${name}-${generateSecret()}`;
const GOOGLE = secret('google');
const ORDERS_LEAKED = secret('orders-v1');
const CRM = secret('crm');
let writer: Credential;
let reader: Credential;

const ORDERS_PATH = 'webhooks.orders.signingSecret';
const CRM_PATH = 'webhooks.crm.signingSecret';

function v1Config(orders = ORDERS_LEAKED): AppConfig {
  const base = defaultConfig('Rollback secrets');
  return {
    ...base,
    sessions: { ...base.sessions, idleTimeoutMinutes: 60 },
    signIn: {
      ...base.signIn,
      social: [{ provider: 'google', clientId: 'g-1.apps.example', clientSecret: GOOGLE }],
    },
    webhooks: [
      {
        id: 'orders',
        url: 'https://orders.example.com/hooks',
        events: ['user.created'],
        signingSecret: orders,
      },
      {
        id: 'crm',
        url: 'https://crm.example.com/hooks',
        events: ['user.deleted'],
        signingSecret: CRM,
      },
    ],
  };
}

async function appAtV1(suffix: string, v1: AppConfig): Promise<string> {
  const id = `rbs-${run}-${suffix}`;
  appIds.push(id);
  await createApp({
    id,
    tenantId,
    name: id,
    description: '',
    config: v1,
    author: testAuthor,
    message: 'v1',
  });
  return id;
}

/** v1, then v2: the orders secret rotated after a leak, the crm webhook removed, a setting changed. */
async function appWithRotatedSecret(suffix: string, v1 = v1Config()) {
  const id = await appAtV1(suffix, v1);
  const rotated = secret('orders-v2');
  const masked = maskSecrets(v1);
  const saved = await saveConfig.run(admin, {
    appId: id,
    baseVersion: 1,
    config: {
      ...masked,
      sessions: { ...masked.sessions, idleTimeoutMinutes: 45 },
      webhooks: [{ ...masked.webhooks[0]!, signingSecret: rotated }],
    },
    message: 'rotate the leaked orders secret',
  });
  expect(saved.status).toBe('ok');
  return { id, rotated };
}

/** The rollback from v2 to v1 of an app made by `appWithRotatedSecret`. */
const rollBackToV1 = (id: string, secrets?: string) =>
  rollbackConfig.run(admin, { appId: id, toVersion: 1, baseVersion: 2, note: '', secrets });

const rolledBackAudit = async (id: string) =>
  (await collections()).audit.findOne({ appId: id, action: 'config.rolled_back' });

const webhookSecrets = (config: AppConfig | undefined) =>
  Object.fromEntries(config?.webhooks.map((w) => [w.id, w.signingSecret]) ?? []);

function expectNoSecret(text: string, values: string[]) {
  for (const value of values) expect(text).not.toContain(value);
}

type Handler = (request: Request, ctx: { params: Promise<unknown> }) => Promise<Response>;

async function call(
  handler: Handler,
  path: string,
  appId: string,
  opts: { method?: string; body?: unknown; ifMatch?: string; as?: Credential } = {},
) {
  const request = requestWith(opts.as ?? writer, path, { method: opts.method, body: opts.body });
  if (opts.ifMatch) request.headers.set('if-match', opts.ifMatch);
  const response = await handler(request, { params: Promise.resolve({ appId }) });
  const text = await response.text();
  return { response, text, json: JSON.parse(text) as unknown };
}

beforeAll(async () => {
  writer = {
    kind: 'bearer',
    token: (await createTestToken({ tenantId, scope: 'read-write' })).secret,
  };
  reader = { kind: 'bearer', token: (await createTestToken({ tenantId, scope: 'read' })).secret };
});

afterAll(async () => {
  await removeApps(appIds);
  const c = await collections();
  await c.apiTokens.deleteMany({ tenantId });
  await closeRedis();
  await closeMongo();
});

describe('rolling back past a rotated secret', () => {
  it('the review names what would change back and what returns, never a value', async () => {
    const { id, rotated } = await appWithRotatedSecret('review');
    const answer = await call(review, `/api/apps/${id}/rollback?toVersion=1`, id, { as: reader });
    expect(answer.response.status).toBe(200);
    expect(rollbackReviewSchema.parse(answer.json)).toEqual({
      appId: id,
      toVersion: 1,
      headVersion: 2,
      secrets: [
        {
          path: ORDERS_PATH,
          label: 'Signing secret of the webhook to https://orders.example.com/hooks',
          kind: 'changes-back',
        },
        {
          path: CRM_PATH,
          label: 'Signing secret of the webhook to https://crm.example.com/hooks',
          kind: 'returns',
        },
      ],
    });
    expectNoSecret(answer.text, [GOOGLE, ORDERS_LEAKED, CRM, rotated]);
  });

  it('keeps the current secrets by default in the action, and the audit log records it', async () => {
    const { id, rotated } = await appWithRotatedSecret('keep');
    const result = await rollBackToV1(id);
    expect(result).toMatchObject({
      status: 'ok',
      data: {
        version: 3,
        toVersion: 1,
        secrets: { choice: 'keep', kept: [ORDERS_PATH], restored: [CRM_PATH] },
      },
    });
    expectNoSecret(JSON.stringify(result), [GOOGLE, ORDERS_LEAKED, CRM, rotated]);

    const head = await readHead(id);
    expect(head?.rollbackOf).toBe(1);
    expect(head?.data.sessions.idleTimeoutMinutes).toBe(60); // everything else went back
    expect(webhookSecrets(head?.data)).toEqual({ orders: rotated, crm: CRM });
    expect(head?.data.signIn.social[0]?.clientSecret).toBe(GOOGLE);

    const audit = await rolledBackAudit(id);
    expect(audit?.details).toMatchObject({
      rollbackOf: 1,
      secrets: { choice: 'keep', kept: [ORDERS_PATH], restored: [CRM_PATH] },
    });
    expect(audit?.summary).toMatch(/kept the current value of 1 secret, brought back 1 secret/);
    expectNoSecret(JSON.stringify(audit), [GOOGLE, ORDERS_LEAKED, CRM, rotated]);
  });

  it('restores the older secrets only when asked to', async () => {
    const { id, rotated } = await appWithRotatedSecret('restore');
    const result = await rollBackToV1(id, 'restore');
    expect(result).toMatchObject({
      status: 'ok',
      data: { secrets: { choice: 'restore', kept: [], restored: [ORDERS_PATH, CRM_PATH] } },
    });
    expect(result.status === 'ok' && result.message).toMatch(/restored 2 secrets/);
    const head = await readHead(id);
    expect(secretValues(head!.data)).toEqual(secretValues(v1Config()));
    const audit = await rolledBackAudit(id);
    expect(audit?.details).toMatchObject({ secrets: { choice: 'restore' } });
    expectNoSecret(JSON.stringify([result, audit]), [GOOGLE, ORDERS_LEAKED, CRM, rotated]);
  });

  it('refuses an unknown choice', async () => {
    const { id } = await appWithRotatedSecret('choice');
    const result = await rollBackToV1(id, 'all');
    expect(result).toMatchObject({
      status: 'invalid',
      fieldErrors: { secrets: [expect.any(String)] },
    });
    expect((await readHead(id))?.version).toBe(2);
  });

  it('says so when keeping the secrets leaves nothing to roll back', async () => {
    const id = await appAtV1('only', v1Config());
    const masked = maskSecrets(v1Config());
    await saveConfig.run(admin, {
      appId: id,
      baseVersion: 1,
      config: {
        ...masked,
        webhooks: [{ ...masked.webhooks[0]!, signingSecret: secret('o2') }, masked.webhooks[1]!],
      },
    });
    const result = await rollBackToV1(id);
    expect(result).toMatchObject({
      status: 'invalid',
      message:
        'v1 differs from the current version (v2) only in secrets you chose to keep; there is nothing to roll back.',
    });
  });

  it('never restores a weak secret stored before the strength rule', async () => {
    const { id } = await appWithRotatedSecret('weak', v1Config('whsec_orders_2023'));
    const restore = await rollBackToV1(id, 'restore');
    expect(restore.status === 'invalid' && restore.message).toMatch(
      /^v1’s Signing secret of the webhook to https:\/\/orders\.example\.com\/hooks is too weak to restore/,
    );
    expect(JSON.stringify(restore)).not.toContain('whsec_orders_2023');
    const keep = await rollBackToV1(id);
    expect(keep.status).toBe('ok');
  });
});

describe('POST /api/apps/{appId}/rollback', () => {
  it('keeps the current secrets when the body does not say, restores with secrets: "restore"', async () => {
    const { id, rotated } = await appWithRotatedSecret('rest');
    const kept = await call(rollback, `/api/apps/${id}/rollback`, id, {
      method: 'POST',
      body: { toVersion: 1 },
      ifMatch: '"v2"',
    });
    expect(kept.response.status).toBe(201);
    expect(rolledBackSchema.parse(kept.json)).toMatchObject({
      version: 3,
      secrets: { choice: 'keep', kept: [ORDERS_PATH], restored: [CRM_PATH] },
    });
    expect(webhookSecrets((await readHead(id))?.data)).toEqual({ orders: rotated, crm: CRM });

    const restored = await call(rollback, `/api/apps/${id}/rollback`, id, {
      method: 'POST',
      body: { toVersion: 1, secrets: 'restore' },
      ifMatch: '"v3"',
    });
    expect(restored.response.status).toBe(201);
    expect(rolledBackSchema.parse(restored.json)).toMatchObject({
      version: 4,
      secrets: { choice: 'restore', kept: [], restored: [ORDERS_PATH] },
    });
    expect(webhookSecrets((await readHead(id))?.data)).toEqual({ orders: ORDERS_LEAKED, crm: CRM });
    expectNoSecret(kept.text + restored.text, [GOOGLE, ORDERS_LEAKED, CRM, rotated]);

    const wrong = await call(rollback, `/api/apps/${id}/rollback`, id, {
      method: 'POST',
      body: { toVersion: 1, secrets: 'yes' },
      ifMatch: '"v4"',
    });
    expect(wrong.response.status).toBe(422);
    expect(problemSchema.parse(wrong.json).errors?.map((e) => e.pointer)).toEqual(['/secrets']);
  });
});
