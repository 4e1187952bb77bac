import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { GET as getApp } from '@/app/api/apps/[appId]/route';
import { GET as getInstances } from '@/app/api/apps/[appId]/instances/route';
import { GET as getPropagation } from '@/app/api/apps/[appId]/propagation/route';
import { GET as getConfig, PUT as putConfig } from '@/app/api/apps/[appId]/config/route';
import { GET as diff } from '@/app/api/apps/[appId]/diff/route';
import { POST as rollback } from '@/app/api/apps/[appId]/rollback/route';
import { GET as listVersions } from '@/app/api/apps/[appId]/versions/route';
import { GET as getVersion } from '@/app/api/apps/[appId]/versions/[version]/route';
import { GET as listApps } from '@/app/api/apps/route';
import { createApp } from '@/lib/db/apps';
import { collections } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { removeApps, testAuthor } from '@/test/helpers/propagation';
import {
  appInstancesSchema,
  appPageSchema,
  appPropagationSchema,
  appSchema,
  configDiffSchema,
  configDocumentSchema,
  problemSchema,
  rolledBackSchema,
  savedConfigSchema,
  versionPageSchema,
} from '@/lib/schemas/api';
import { defaultConfig, SECRET_UNCHANGED, type AppConfig } from '@/lib/schemas/config';
import { createTestToken, requestWith, type Credential } from '@/test/helpers/auth';
import { closeStores } from '@/test/helpers/stores';

/**
 * The REST API through its real route handlers with real tokens, MongoDB and Redis: every answer
 * is decoded with the schema the OpenAPI document is generated from, so the document is checked
 * against what the code actually sends.
 */

const run = randomBytes(4).toString('hex');
const tenant = `rest-${run}`;
const created: string[] = [];
const GOOGLE_SECRET = `gsec-${run}-${randomBytes(16).toString('hex')}`;
let writer: Credential;
let reader: Credential;
let appId: string;

type Handler = (request: Request, ctx: { params: Promise<unknown> }) => Promise<Response>;

async function call(
  handler: Handler,
  path: string,
  opts: {
    params?: Record<string, string>;
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
    as?: Credential;
  } = {},
) {
  const request = requestWith(opts.as ?? writer, path, { method: opts.method, body: opts.body });
  for (const [k, v] of Object.entries(opts.headers ?? {})) request.headers.set(k, v);
  const response = await handler(request, { params: Promise.resolve(opts.params ?? {}) });
  const text = await response.text();
  return { response, text, json: text ? (JSON.parse(text) as unknown) : null };
}

function withSecret(config: AppConfig): AppConfig {
  return {
    ...config,
    signIn: {
      ...config.signIn,
      social: [{ provider: 'google', clientId: 'google-client', clientSecret: GOOGLE_SECRET }],
    },
  };
}

async function newApp(name: string): Promise<string> {
  const id = `rest-${name}-${run}`;
  created.push(id);
  await createApp({
    id,
    tenantId: tenant,
    name: id,
    description: `${name} app`,
    config: withSecret(defaultConfig(id)),
    author: testAuthor,
    message: 'first',
  });
  return id;
}

const put = (id: string, body: unknown, ifMatch?: string, extra: Record<string, string> = {}) =>
  call(putConfig, `/api/apps/${id}/config`, {
    method: 'PUT',
    params: { appId: id },
    body,
    headers: { ...(ifMatch ? { 'if-match': ifMatch } : {}), ...extra },
  });

async function maskedHead(id: string) {
  const { json } = await call(getConfig, `/api/apps/${id}/config`, { params: { appId: id } });
  return z.decode(configDocumentSchema, json as z.input<typeof configDocumentSchema>);
}

beforeAll(async () => {
  writer = {
    kind: 'bearer',
    token: (await createTestToken({ tenantId: tenant, scope: 'read-write' })).secret,
  };
  reader = {
    kind: 'bearer',
    token: (await createTestToken({ tenantId: tenant, scope: 'read' })).secret,
  };
  appId = await newApp('main');
});

afterAll(async () => {
  await removeApps(created);
  const c = await collections();
  await c.apiTokens.deleteMany({ tenantId: tenant });
  await closeStores();
});

describe('reading', () => {
  it('pages through the apps by id, following next', async () => {
    for (const name of ['p1', 'p2', 'p3']) await newApp(name);
    const seen: string[] = [];
    let path: string | null = '/api/apps?limit=2';
    let pages = 0;
    while (path) {
      const { response, json } = await call(listApps, path, { as: reader });
      expect(response.status).toBe(200);
      const page = appPageSchema.parse(json);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((a) => a.id));
      path = page.next;
      pages += 1;
    }
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...created].sort());
    expect(seen.every((id) => id.startsWith('rest-'))).toBe(true);
  });

  it('gets one app with its newest version', async () => {
    const { response, json } = await call(getApp, `/api/apps/${appId}`, {
      params: { appId },
      as: reader,
    });
    expect(response.status).toBe(200);
    const app = appSchema.parse(json);
    expect(app).toMatchObject({ id: appId, tenantId: tenant, headVersion: 1 });
    expect(app.lastChange).toMatchObject({ version: 1, message: 'first' });
  });

  it('gets the config with an ETag, secrets masked, and 304 for an unchanged head', async () => {
    const { response, text } = await call(getConfig, `/api/apps/${appId}/config`, {
      params: { appId },
      as: reader,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v1"');
    expect(text).not.toContain(GOOGLE_SECRET);
    const doc = configDocumentSchema.parse(JSON.parse(text));
    expect(doc.config.signIn.social[0]?.clientSecret).toBe(SECRET_UNCHANGED);

    const again = await call(getConfig, `/api/apps/${appId}/config`, {
      params: { appId },
      headers: { 'if-none-match': '"v1"' },
    });
    expect(again.response.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('answers problem+json 404 for an unknown app and 401 for a revoked token', async () => {
    const missing = await call(getConfig, '/api/apps/nope-nope/config', {
      params: { appId: 'nope-nope' },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.response.headers.get('content-type')).toBe('application/problem+json');
    expect(problemSchema.parse(missing.json)).toMatchObject({
      status: 404,
      detail: 'App not found.',
    });

    const bogus = await call(listApps, '/api/apps', {
      as: { kind: 'bearer', token: `prp_${'a'.repeat(43)}` },
    });
    expect(bogus.response.status).toBe(401);
    expect(problemSchema.parse(bogus.json).detail).toMatch(/unknown or revoked/);
  });
});

describe('saving', () => {
  it('refuses a save without If-Match (428) or with a malformed one (400), saving nothing', async () => {
    const head = await maskedHead(appId);
    const body = { config: head.config };
    const none = await put(appId, body);
    expect(none.response.status).toBe(428);
    expect(problemSchema.parse(none.json).detail).toMatch(/If-Match/);
    const weak = await put(appId, body, 'W/"v1"');
    expect(weak.response.status).toBe(400);
    expect((await readHead(appId))?.version).toBe(1);
  });

  it('saves with If-Match, keeps the unchanged secret, never echoes it, and answers the new ETag', async () => {
    const head = await maskedHead(appId);
    const config = {
      ...head.config,
      sessions: { ...head.config.sessions, idleTimeoutMinutes: 42 },
    };
    const { response, text, json } = await put(
      appId,
      { config, message: 'Shorter idle timeout' },
      '"v1"',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v2"');
    expect(savedConfigSchema.parse(json)).toEqual({
      appId,
      version: 2,
      pushed: true,
      changed: true,
    });
    expect(text).not.toContain(GOOGLE_SECRET);
    const stored = await readHead(appId);
    expect(stored?.data.signIn.social[0]?.clientSecret).toBe(GOOGLE_SECRET);
    expect(stored?.data.sessions.idleTimeoutMinutes).toBe(42);
    expect(stored?.author.name).toMatch(/API token/);
  });

  it('answers 200 changed:false for a config equal to the head', async () => {
    const head = await maskedHead(appId);
    const { response, json } = await put(appId, { config: head.config }, `"v${head.version}"`);
    expect(response.status).toBe(200);
    expect(savedConfigSchema.parse(json)).toMatchObject({ version: head.version, changed: false });
    expect((await readHead(appId))?.version).toBe(head.version);
  });

  it('answers 412 for a stale If-Match with the current version and what changed', async () => {
    const head = await maskedHead(appId);
    const config = {
      ...head.config,
      branding: { ...head.config.branding, primaryColor: '#FF0000' },
    };
    const { response, json, text } = await put(appId, { config }, '"v1"');
    expect(response.status).toBe(412);
    expect(response.headers.get('etag')).toBe(`"v${head.version}"`);
    const body = problemSchema.parse(json);
    expect(body.current).toMatchObject({ version: head.version, message: 'Shorter idle timeout' });
    expect(body.theirChanges?.map((c) => c.path)).toEqual(['sessions.idleTimeoutMinutes']);
    expect(body.yourChanges?.map((c) => c.path)).toEqual(
      expect.arrayContaining(['branding.primaryColor']),
    );
    expect(text).not.toContain(GOOGLE_SECRET);
    expect((await readHead(appId))?.version).toBe(head.version);
  });

  it('answers 422 with each invalid field’s config path and JSON Pointer', async () => {
    const head = await maskedHead(appId);
    const config = {
      ...head.config,
      urls: {
        ...head.config.urls,
        redirectUrls: ['https://ok.example.com/cb', 'javascript:alert(1)'],
      },
      sessions: { ...head.config.sessions, idleTimeoutMinutes: 0 },
    };
    const { response, json } = await put(appId, { config }, `"v${head.version}"`);
    expect(response.status).toBe(422);
    const body = problemSchema.parse(json);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'urls.redirectUrls.1',
          pointer: '/config/urls/redirectUrls/1',
          message: expect.stringMatching(/full URL/) as unknown,
        }),
        expect.objectContaining({ path: 'sessions.idleTimeoutMinutes' }),
      ]),
    );
    expect((await readHead(appId))?.version).toBe(head.version);
  });

  it('refuses a read token (403) and a body that is not JSON (415/400)', async () => {
    const head = await maskedHead(appId);
    const denied = await call(putConfig, `/api/apps/${appId}/config`, {
      method: 'PUT',
      params: { appId },
      body: { config: head.config },
      headers: { 'if-match': `"v${head.version}"` },
      as: reader,
    });
    expect(denied.response.status).toBe(403);
    const request = requestWith(writer, `/api/apps/${appId}/config`, { method: 'PUT' });
    const notJson = await putConfig(
      new Request(request, {
        body: 'not json',
        headers: {
          ...Object.fromEntries(request.headers),
          'content-type': 'application/json',
          'if-match': '"v1"',
        },
      }),
      { params: Promise.resolve({ appId }) },
    );
    expect(notJson.status).toBe(400);
  });
});

describe('history', () => {
  it('pages versions newest first, shows one masked, and diffs two', async () => {
    const { json } = await call(listVersions, `/api/apps/${appId}/versions?limit=1`, {
      params: { appId },
      as: reader,
    });
    const first = versionPageSchema.parse(json);
    expect(first.items.map((v) => v.version)).toEqual([2]);
    expect(first.next).toBe(`/api/apps/${appId}/versions?limit=1&before=2`);
    const older = await call(listVersions, first.next ?? '', { params: { appId }, as: reader });
    const second = versionPageSchema.parse(older.json);
    expect(second.items.map((v) => v.version)).toEqual([1]);
    expect(second.next).toBeNull();

    const one = await call(getVersion, `/api/apps/${appId}/versions/1`, {
      params: { appId, version: '1' },
      as: reader,
    });
    expect(configDocumentSchema.parse(one.json).version).toBe(1);
    expect(one.text).not.toContain(GOOGLE_SECRET);

    const d = await call(diff, `/api/apps/${appId}/diff?from=1&to=2`, {
      params: { appId },
      as: reader,
    });
    expect(configDiffSchema.parse(d.json).changes.map((c) => c.path)).toEqual([
      'sessions.idleTimeoutMinutes',
    ]);
    const missing = await call(getVersion, `/api/apps/${appId}/versions/99`, {
      params: { appId, version: '99' },
    });
    expect(missing.response.status).toBe(404);
  });

  it('rolls back once per Idempotency-Key, replays the answer, and refuses the key for another body', async () => {
    const id = await newApp('rollback');
    const head = await maskedHead(id);
    await put(
      id,
      { config: { ...head.config, mfa: { ...head.config.mfa, rememberDeviceDays: 7 } } },
      '"v1"',
    );
    const key = randomUUID();
    const send = (toVersion: number) =>
      call(rollback, `/api/apps/${id}/rollback`, {
        method: 'POST',
        params: { appId: id },
        body: { toVersion, note: 'undo' },
        headers: { 'if-match': '"v2"', 'idempotency-key': key },
      });
    const first = await send(1);
    expect(first.response.status).toBe(201);
    expect(first.response.headers.get('location')).toBe(`/api/apps/${id}/versions/3`);
    expect(rolledBackSchema.parse(first.json)).toMatchObject({ version: 3, toVersion: 1 });

    const replay = await send(1);
    expect(replay.response.status).toBe(201);
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(first.text);
    expect((await readHead(id))?.version).toBe(3);

    const other = await send(2);
    expect(other.response.status).toBe(422);
    expect(problemSchema.parse(other.json).type).toBe(
      '/api-reference#problem-idempotency-mismatch',
    );

    const stale = await call(rollback, `/api/apps/${id}/rollback`, {
      method: 'POST',
      params: { appId: id },
      body: { toVersion: 2 },
      headers: { 'if-match': '"v2"' },
    });
    expect(stale.response.status).toBe(412);
    const noIfMatch = await call(rollback, `/api/apps/${id}/rollback`, {
      method: 'POST',
      params: { appId: id },
      body: { toVersion: 2 },
    });
    expect(noIfMatch.response.status).toBe(428);
    expect((await readHead(id))?.version).toBe(3);
  });
});

describe('propagation (routes that predate the contract answer what it documents)', () => {
  it('status, a wait for the head, and the instances decode with their schemas', async () => {
    const status = await call(getPropagation, `/api/apps/${appId}/propagation`, {
      params: { appId },
      as: reader,
    });
    expect(status.response.status).toBe(200);
    expect(appPropagationSchema.strict().parse(status.json).appId).toBe(appId);

    const head = (await readHead(appId))?.version ?? 0;
    const waited = await call(
      getPropagation,
      `/api/apps/${appId}/propagation?version=${head}&waitMs=10000`,
      { params: { appId }, as: reader },
    );
    const body = appPropagationSchema.strict().parse(waited.json);
    expect(body.wait).toMatchObject({ version: head, converged: true });

    const instances = await call(getInstances, `/api/apps/${appId}/instances`, {
      params: { appId },
      as: reader,
    });
    expect(appInstancesSchema.strict().parse(instances.json).appId).toBe(appId);
  });
});
