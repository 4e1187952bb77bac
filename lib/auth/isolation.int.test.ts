import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archiveApp } from '@/lib/actions/archive-app';
import { createApiToken } from '@/lib/actions/create-api-token';
import { createApp as createAppAction } from '@/lib/actions/create-app';
import { restoreApp } from '@/lib/actions/restore-app';
import type { ActionResult } from '@/lib/results';
import { forcePush } from '@/lib/actions/force-push';
import { retryPush } from '@/lib/actions/retry-push';
import { takeMigrationStep } from '@/lib/actions/take-migration-step';
import { revokeApiToken } from '@/lib/actions/revoke-api-token';
import { rollbackConfig } from '@/lib/actions/rollback-config';
import { changePassword } from '@/lib/actions/change-password';
import { changeUserRole } from '@/lib/actions/change-user-role';
import { createWebhookEndpoint } from '@/lib/actions/create-webhook-endpoint';
import { deleteWebhookEndpoint } from '@/lib/actions/delete-webhook-endpoint';
import { resendWebhookDelivery } from '@/lib/actions/resend-webhook-delivery';
import { rotateWebhookSecret } from '@/lib/actions/rotate-webhook-secret';
import { setWebhookEndpointEnabled } from '@/lib/actions/set-webhook-endpoint-enabled';
import { inviteUser } from '@/lib/actions/invite-user';
import { revokeInvitation } from '@/lib/actions/revoke-invitation';
import { saveConfig } from '@/lib/actions/save-config';
import { setUserDisabled } from '@/lib/actions/set-user-disabled';
import { updateAppDetails } from '@/lib/actions/update-app-details';
import type { Permission } from '@/lib/auth/roles';
import { configKey } from '@/lib/contract/cache-layout';
import { createApp } from '@/lib/db/apps';
import { applyStep, getCacheState } from '@/lib/db/cache-state';
import { collections } from '@/lib/db/collections';
import { commitVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { createInvitation } from '@/lib/db/invitations';
import { setPasswordHash } from '@/lib/db/users';
import { createWebhookEndpoint as insertEndpoint } from '@/lib/db/webhook-endpoints';
import { deliveryId, recordEvent } from '@/lib/db/webhook-events';
import { hashPassword } from '@/lib/auth/password';
import { primaryRedis } from '@/lib/redis/clients';
import { emptyBackfill, emptyVerify } from '@/lib/model/migration';
import { defaultConfig } from '@/lib/schemas/config';
import { maskSecrets } from '@/lib/secrets';
import {
  createTestToken,
  createTestUser,
  principalOf,
  requestWith,
  runId,
  sessionCookie,
  TEST_ORIGIN,
  type Credential,
} from '@/test/helpers/auth';
import { expectedGrants } from '@/test/helpers/expected-grants';
import { closeStores } from '@/test/helpers/stores';

/**
 * The isolation matrix: every caller × a resource of either tenant × every server action and
 * route handler, called directly (not through the UI). Each call's outcome is compared with the
 * outcome written out below, and each call is checked to have written nothing it should not:
 * a refused call writes nothing at all; an allowed one writes only to its own tenant.
 *
 * A new action or route must be added to `operations`: the last two tests fail until it is.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = runId();
const A = `iso-a-${run}`;
const B = `iso-b-${run}`;
const tenants = [A, B] as const;
type TenantId = (typeof tenants)[number];

// ── Callers, with what each may do (written out in the test helper, not read from the roles table under test) ──

/** Tokens act for automation, never for a person: no own account. */
const readTokenGrants: Permission[] = ['config:read', 'propagation:read'];

interface Caller {
  name: string;
  /** null: reads every tenant (support, operator). */
  tenant: TenantId | null;
  grants: Permission[];
  credential: Credential;
}

const callers: Caller[] = [];

// ── Operations: every action and route handler ──

type Outcome =
  | 'ok'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'invalid'
  | 'conflict'
  | 'rate_limited'
  | 'internal'
  | `http ${number}`;

interface Operation {
  /** `action saveConfig` or `GET /api/regions`. */
  name: string;
  /** For actions: the `'use server'` export this operation stands for. */
  serverAction?: string;
  /** For routes: `METHOD /api/path/[param]`, as the route file declares it. */
  route?: string;
  permission: Permission;
  /** Acts on a record of one tenant (an app, a token): another tenant's record is "not found". */
  tenantBound: boolean;
  /** Where an allowed call may write: the target's tenant, or the caller's own. */
  writesTo?: 'target' | 'caller';
  /**
   * Builds the input (which may create what the call acts on, like a token to revoke) and
   * returns the call itself, so "nothing was written" is measured around the call alone.
   */
  prepare: (caller: Caller, target: TenantId) => Promise<() => Promise<Outcome>>;
  /** For state-changing routes: the same call from another origin with the caller's cookie. */
  crossOrigin?: (caller: Caller, target: TenantId) => Promise<Outcome>;
}

const fixtureApps = new Map<TenantId, string>();
function appOf(tenant: TenantId): string {
  const id = fixtureApps.get(tenant);
  if (!id) throw new Error(`no fixture app for ${tenant}`);
  return id;
}

function actionOutcome(result: ActionResult<unknown, unknown>): Outcome {
  if (result.status === 'error') return result.code;
  if (result.status === 'idle') throw new Error('an action returned idle');
  return result.status;
}

function httpOutcome(status: number): Outcome {
  const named: Record<number, Outcome> = {
    200: 'ok',
    201: 'ok',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
  };
  return named[status] ?? `http ${status}`;
}

let edits = 0;
/** Apps the matrix's createApp calls may have created (their cache keys are removed after). */
const copies: string[] = [];

/** Records of a tenant that showed up in an answer to a caller who may not see that tenant. */
const leaks: string[] = [];
function noteLeaks(what: string, caller: Caller, answer: string) {
  for (const tenant of tenants) {
    if (caller.tenant !== null && caller.tenant !== tenant && answer.includes(tenant)) {
      leaks.push(`${what} by ${caller.name}: the answer mentions ${tenant}`);
    }
  }
}

function action<R extends ActionResult<unknown, unknown>>(
  serverAction: string,
  opts: Omit<Operation, 'name' | 'serverAction' | 'prepare'>,
  run: (
    principal: Awaited<ReturnType<typeof principalOf>>,
    input: unknown,
    meta: { ip: string | null; userAgent: string | null },
  ) => Promise<R>,
  input: (target: TenantId, caller: Caller) => Promise<unknown>,
): Operation {
  return {
    name: `action ${serverAction}`,
    serverAction,
    ...opts,
    prepare: async (caller, target) => {
      const raw = await input(target, caller);
      return async () => {
        const result = await run(await principalOf(caller.credential), raw, {
          ip: '203.0.113.7',
          userAgent: 'isolation-matrix',
        });
        noteLeaks(`action ${serverAction}`, caller, JSON.stringify(result));
        return actionOutcome(result);
      };
    },
  };
}

type RouteHandler = (request: Request, ctx: { params: Promise<unknown> }) => Promise<Response>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A route handler, called with a real Request: the caller's cookie or bearer token, and for
 * mutating methods the dashboard's own Origin (cross-origin is its own test below). Whatever it
 * answers, the body must not mention a tenant the caller may not see.
 */
function route(
  method: Method,
  pattern: string,
  opts: Omit<Operation, 'name' | 'route' | 'prepare' | 'crossOrigin'> & {
    /** Tells apart several rows for one handler, e.g. with and without a query parameter. */
    variant?: string;
    params?: (target: TenantId) => Record<string, string>;
    query?: (target: TenantId) => Record<string, string>;
    body?: (target: TenantId) => Promise<unknown>;
    headers?: (target: TenantId) => Promise<Record<string, string>>;
    /** An event stream: read what it sends in this many ms, then hang up (it never ends). */
    streamMs?: number;
  },
): Operation {
  const name = `${method} ${pattern}`;
  const prepareWith = (origin: string | undefined) => async (caller: Caller, target: TenantId) => {
    const handler = (await loadRoute(pattern))[method] as RouteHandler;
    const params = opts.params?.(target) ?? {};
    const body = await opts.body?.(target);
    const headers = (await opts.headers?.(target)) ?? {};
    const search = new URLSearchParams(opts.query?.(target)).toString();
    const url =
      pattern.replace(/\[(\w+)\]/g, (_, key: string) => params[key] ?? '') +
      (search ? `?${search}` : '');
    return async () => {
      let request = requestWith(caller.credential, url, { method, body, origin });
      if (opts.streamMs)
        request = new Request(request, { signal: AbortSignal.timeout(opts.streamMs) });
      for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
      const response = await handler(request, { params: Promise.resolve(params) });
      noteLeaks(`${name} ${url}`, caller, await response.text());
      return httpOutcome(response.status);
    };
  };
  return {
    name: opts.variant ? `${name} (${opts.variant})` : name,
    route: name,
    ...opts,
    prepare: prepareWith(method === 'GET' ? undefined : TEST_ORIGIN),
    crossOrigin:
      method === 'GET'
        ? undefined
        : async (caller, target) => (await prepareWith('http://evil.example')(caller, target))(),
  };
}

/** The route file a pattern names, so a row cannot call another handler than the one it names. */
function loadRoute(pattern: string): Promise<Record<string, unknown>> {
  return import(/* @vite-ignore */ path.join(ROOT, 'app', pattern, 'route.ts')) as Promise<
    Record<string, unknown>
  >;
}

/** A route of one app, `/api/apps/[appId]/…`: called on the target tenant's fixture app. */
function appRoute(
  method: Method,
  pattern: `/api/apps/[appId]${string}`,
  opts: Omit<Parameters<typeof route>[2], 'tenantBound'>,
): Operation {
  return route(method, pattern, {
    tenantBound: true,
    params: (target) => ({ appId: appOf(target) }),
    ...opts,
  });
}

/** Archive and restore take one input (lib/schemas/app.ts): from the head version, with a reason. */
async function archiveInput(target: TenantId, reason: string) {
  const appId = appOf(target);
  return { appId, baseVersion: (await readHead(appId, { data: false }))?.version, reason };
}

/** The current head, edited: a save input that is valid and always changes something. */
async function editedHead(target: TenantId) {
  const appId = appOf(target);
  const head = await readHead(appId);
  if (!head) throw new Error(`fixture app ${appId} has no head`);
  const config = maskSecrets(head.data);
  edits += 1;
  return {
    appId,
    baseVersion: head.version,
    config: { ...config, branding: { ...config.branding, displayName: `Edit ${edits}` } },
    message: `isolation matrix edit ${edits}`,
  };
}

const operations: Operation[] = [
  action(
    'saveConfig',
    { permission: 'config:edit', tenantBound: true, writesTo: 'target' },
    saveConfig.run,
    editedHead,
  ),
  action(
    'rollbackConfig',
    { permission: 'config:edit', tenantBound: true, writesTo: 'target' },
    rollbackConfig.run,
    async (target) => {
      const head = await readHead(appOf(target));
      if (!head || head.version < 2) throw new Error('rollback fixture needs two versions');
      // Every commit changes the data, so the previous version always differs from the head.
      return {
        appId: head.appId,
        toVersion: head.version - 1,
        baseVersion: head.version,
        note: '',
      };
    },
  ),
  action(
    'createApiToken',
    { permission: 'tokens:manage', tenantBound: false, writesTo: 'caller' },
    createApiToken.run,
    // A forged tenant in the input is ignored: tokens are only ever created in the caller's own.
    (target) => Promise.resolve({ name: 'matrix token', scope: 'read', tenantId: target }),
  ),
  action(
    'revokeApiToken',
    { permission: 'tokens:manage', tenantBound: true, writesTo: 'target' },
    revokeApiToken.run,
    async (target) => {
      const { token } = await createTestToken({ tenantId: target, scope: 'read' });
      return { tokenId: token._id };
    },
  ),
  action(
    'retryPush',
    { permission: 'push:retry', tenantBound: true, writesTo: 'target' },
    retryPush.run,
    (target) => Promise.resolve({ appId: appOf(target) }),
  ),
  action(
    'forcePush',
    { permission: 'push:force', tenantBound: true, writesTo: 'target' },
    forcePush.run,
    async (target) => ({
      appId: appOf(target),
      version: (await readHead(appOf(target)))?.version ?? 1,
      confirm: true,
    }),
  ),
  action(
    'createApp',
    // Copying another tenant's app is "not found"; the new app always lands in the caller's tenant.
    { permission: 'apps:manage', tenantBound: true, writesTo: 'caller' },
    createAppAction.run,
    (target) => {
      edits += 1;
      copies.push(`${target}-copy-${edits}`);
      return Promise.resolve({
        id: `${target}-copy-${edits}`,
        name: `Copy ${edits}`,
        copyFrom: appOf(target),
      });
    },
  ),
  action(
    'updateAppDetails',
    { permission: 'apps:manage', tenantBound: true, writesTo: 'target' },
    updateAppDetails.run,
    (target) => {
      edits += 1;
      return Promise.resolve({ appId: appOf(target), name: `Renamed ${edits}`, description: '' });
    },
  ),
  // Archive, then restore: each fixture app is archived once by its admin and restored again
  // before the routes below read it.
  action(
    'archiveApp',
    { permission: 'apps:manage', tenantBound: true, writesTo: 'target' },
    archiveApp.run,
    (target) => archiveInput(target, 'isolation matrix'),
  ),
  action(
    'restoreApp',
    { permission: 'apps:manage', tenantBound: true, writesTo: 'target' },
    restoreApp.run,
    (target) => archiveInput(target, ''),
  ),
  action(
    'takeMigrationStep',
    { permission: 'migration:run', tenantBound: false },
    takeMigrationStep.run,
    // Cancelling a planned migration: its gate is open, so an operator's call is carried out.
    async () => ({ step: 'cancel', expectRevision: await planFixtureMigration() }),
  ),
  route('GET', '/api/migration', {
    permission: 'deployments:read',
    tenantBound: false,
  }),
  action(
    'inviteUser',
    { permission: 'users:manage', tenantBound: false, writesTo: 'caller' },
    inviteUser.run,
    () => {
      edits += 1;
      return Promise.resolve({ email: `invitee-${edits}-${run}@example.test`, role: 'viewer' });
    },
  ),
  action(
    'revokeInvitation',
    { permission: 'users:manage', tenantBound: true, writesTo: 'target' },
    revokeInvitation.run,
    async (target) => {
      const { invitation } = await createInvitation({
        tenantId: target,
        email: `pending-${randomUUID()}@example.test`,
        role: 'viewer',
        createdBy: { userId: 'seed', name: 'Seed', email: 'seed@example.test' },
        ttlHours: 1,
      });
      return { invitationId: invitation._id };
    },
  ),
  action(
    'changeUserRole',
    { permission: 'users:manage', tenantBound: true, writesTo: 'target' },
    changeUserRole.run,
    async (target) => ({ userId: (await targetUser(target))._id, role: 'admin' }),
  ),
  action(
    'setUserDisabled',
    { permission: 'users:manage', tenantBound: true, writesTo: 'target' },
    setUserDisabled.run,
    async (target) => ({ userId: (await targetUser(target))._id, disabled: 'true' }),
  ),
  action(
    'changePassword',
    // Only ever the caller's own password; support's own record belongs to no tenant.
    { permission: 'account:manage', tenantBound: false, writesTo: 'caller' },
    changePassword.run,
    async (_target, caller) => {
      // Each call starts from the known password (outside the measured call).
      const principal = await principalOf(caller.credential);
      if (principal?.kind === 'user') {
        await setPasswordHash({ id: principal.id, passwordHash: await testPasswordHash });
      }
      return {
        current: 'test-password',
        password: 'a new password 123',
        confirm: 'a new password 123',
      };
    },
  ),
  action(
    'createWebhookEndpoint',
    // Always in the caller's own tenant; support staff own none.
    { permission: 'webhooks:manage', tenantBound: false, writesTo: 'caller' },
    createWebhookEndpoint.run,
    () => Promise.resolve({ url: 'http://127.0.0.1:9/matrix', eventTypes: ['config.saved'] }),
  ),
  action(
    'setWebhookEndpointEnabled',
    { permission: 'webhooks:manage', tenantBound: true, writesTo: 'target' },
    setWebhookEndpointEnabled.run,
    async (target) => ({ endpointId: (await targetEndpoint(target))._id, enabled: 'false' }),
  ),
  action(
    'rotateWebhookSecret',
    { permission: 'webhooks:manage', tenantBound: true, writesTo: 'target' },
    rotateWebhookSecret.run,
    async (target) => ({ endpointId: (await targetEndpoint(target))._id }),
  ),
  action(
    'deleteWebhookEndpoint',
    { permission: 'webhooks:manage', tenantBound: true, writesTo: 'target' },
    deleteWebhookEndpoint.run,
    async (target) => ({ endpointId: (await targetEndpoint(target))._id }),
  ),
  action(
    'resendWebhookDelivery',
    { permission: 'webhooks:manage', tenantBound: true, writesTo: 'target' },
    resendWebhookDelivery.run,
    async (target) => {
      const endpoint = await targetEndpoint(target);
      edits += 1;
      const { id } = await recordEvent({
        type: 'config.saved',
        key: `${appOf(target)}|matrix-${run}-${edits}`,
        tenantId: target,
        appId: appOf(target),
        at: new Date(),
        data: {
          tenantId: target,
          appId: appOf(target),
          version: 1,
          committedAt: new Date().toISOString(),
          author: { name: 'matrix', email: null },
          message: '',
        },
      });
      return { endpointId: endpoint._id, deliveryId: deliveryId(endpoint._id, id) };
    },
  ),
  route('GET', '/api/regions', {
    permission: 'propagation:read',
    tenantBound: false,
  }),
  route('GET', '/api/propagation', {
    variant: 'every app the caller may see',
    permission: 'propagation:read',
    tenantBound: false,
  }),
  route('GET', '/api/propagation', {
    // Another tenant's name in the filter must yield nothing of that tenant (checked as a leak).
    variant: '?tenant=',
    permission: 'propagation:read',
    tenantBound: false,
    query: (target) => ({ tenant: target }),
  }),
  appRoute('GET', '/api/apps/[appId]/propagation', { permission: 'propagation:read' }),
  appRoute('GET', '/api/apps/[appId]/propagation/events', {
    permission: 'propagation:read',
    streamMs: 300,
  }),
  route('GET', '/api/propagation/events', {
    permission: 'propagation:read',
    tenantBound: false,
    streamMs: 300,
  }),
  appRoute('GET', '/api/apps/[appId]/instances', { permission: 'propagation:read' }),
  route('GET', '/api/apps', {
    // Paged across the caller's own apps; another tenant's ids must not appear (checked as a leak).
    permission: 'config:read',
    tenantBound: false,
  }),
  appRoute('GET', '/api/apps/[appId]', { permission: 'config:read' }),
  appRoute('GET', '/api/apps/[appId]/config', { permission: 'config:read' }),
  appRoute('PUT', '/api/apps/[appId]/config', {
    permission: 'config:edit',
    writesTo: 'target',
    body: async (target) => {
      const { config, message } = await editedHead(target);
      return { config, message };
    },
    headers: async (target) => ({ 'if-match': `"v${(await readHead(appOf(target)))?.version}"` }),
  }),
  appRoute('GET', '/api/apps/[appId]/versions', { permission: 'config:read' }),
  appRoute('GET', '/api/apps/[appId]/versions/[version]', {
    permission: 'config:read',
    params: (target) => ({ appId: appOf(target), version: '1' }),
  }),
  appRoute('GET', '/api/apps/[appId]/diff', {
    permission: 'config:read',
    query: () => ({ from: '1', to: '2' }),
  }),
  appRoute('GET', '/api/apps/[appId]/rollback', {
    permission: 'config:read',
    query: () => ({ toVersion: '1' }),
  }),
  appRoute('POST', '/api/apps/[appId]/rollback', {
    permission: 'config:edit',
    writesTo: 'target',
    // The previous version always differs from the head: every commit changes the data.
    body: async (target) => ({
      toVersion: ((await readHead(appOf(target)))?.version ?? 2) - 1,
      note: 'isolation matrix',
    }),
    headers: async (target) => ({
      'if-match': `"v${(await readHead(appOf(target)))?.version}"`,
      'idempotency-key': randomUUID(),
    }),
  }),
  appRoute('POST', '/api/apps/[appId]/force-push', {
    permission: 'push:force',
    writesTo: 'target',
    body: async (target) => ({
      version: (await readHead(appOf(target)))?.version ?? 1,
      confirm: true,
    }),
  }),
  route('GET', '/api/latency', {
    variant: '?appId=',
    permission: 'propagation:read',
    tenantBound: true,
    query: (target) => ({ appId: appOf(target) }),
  }),
  route('GET', '/api/latency', {
    // Across every tenant: support only.
    variant: 'all tenants',
    permission: 'fleet:read',
    tenantBound: false,
  }),
];

/** Routes anyone may call: liveness for load balancers and the e2e guard. */
const publicRoutes = ['GET /api/health', 'GET /api/openapi.json'];
/** Not a principal's route: the scrape token of its own (lib/api/observability.int.test.ts). */
const metricsRoutes = ['GET /api/metrics'];
/** Server actions outside defineAction, tested in sign-in.int.test.ts. */
const sessionActions = ['signIn', 'signOut', 'signOutEverywhere', 'acceptInvitation'];

const testPasswordHash = hashPassword('test-password');

/** A deployment name this environment does not declare: a plan no step can ever carry out. */
const FIXTURE_TARGET = `iso-target-${run}`;

/**
 * Puts a planned migration in place (written directly, as its own plan step would need a second
 * deployment), so the cancel above has something to cancel; returns the revision to expect.
 */
async function planFixtureMigration(): Promise<number> {
  const state = await getCacheState();
  const by = { id: 'iso-seed', name: 'Isolation seed' };
  const outcome = await applyStep({
    expectRevision: state.revision,
    action: 'plan',
    by,
    set: {
      migration: {
        id: `mig-iso-${run}-${randomUUID().slice(0, 8)}`,
        source: state.active,
        target: FIXTURE_TARGET,
        phase: 'planned',
        plannedAt: new Date(),
        plannedBy: by,
        backfill: emptyBackfill(),
        verify: emptyVerify(),
        cutOverAt: null,
        rolledBackAt: null,
        verifyWindowMs: 30_000,
      },
    },
  });
  if (outcome.status !== 'applied') throw new Error('the fixture migration raced');
  return outcome.state.revision;
}

/** A fresh webhook endpoint of the target tenant for each call that acts on one. */
async function targetEndpoint(target: TenantId) {
  const { endpoint } = await insertEndpoint({
    tenantId: target,
    url: 'http://127.0.0.1:9/matrix',
    description: '',
    eventTypes: ['config.saved'],
    appIds: [],
    createdBy: { userId: 'seed', name: 'Seed', email: 'seed@example.test' },
  });
  return endpoint;
}

/** A fresh viewer of the target tenant for each role or disable call. */
async function targetUser(target: TenantId) {
  edits += 1;
  return createTestUser({ id: `iso-target-${edits}-${run}`, role: 'viewer', tenantId: target });
}

function expected(caller: Caller, op: Operation, target: TenantId): Outcome {
  if (caller.credential.kind === 'none') return 'unauthenticated';
  if (!caller.grants.includes(op.permission)) return 'forbidden';
  if (op.tenantBound && caller.tenant !== null && caller.tenant !== target) return 'not_found';
  return 'ok';
}

// ── What "nothing was written" means: a fingerprint of everything the operations can change ──

async function fingerprint(tenant: TenantId) {
  const c = await collections();
  const appId = appOf(tenant);
  const [apps, users, invitations, versions, tokens, revoked, audit, cached, hooks, deliveries] =
    await Promise.all([
      c.apps.find({ tenantId: tenant }, { projection: { name: 1, archivedAt: 1 } }).toArray(),
      c.users
        .find({ tenantId: tenant }, { projection: { role: 1, disabled: 1, passwordHash: 1 } })
        .sort({ _id: 1 })
        .toArray(),
      c.invitations
        .find({ tenantId: tenant }, { projection: { revokedAt: 1 } })
        .sort({ _id: 1 })
        .toArray(),
      c.configVersions.countDocuments({ appId }),
      c.apiTokens.countDocuments({ tenantId: tenant }),
      c.apiTokens.countDocuments({ tenantId: tenant, revokedAt: { $ne: null } }),
      c.audit.countDocuments({ tenantId: tenant }),
      primaryRedis().hget(configKey(appId), 'version'),
      c.webhookEndpoints
        .find({ tenantId: tenant }, { projection: { enabled: 1, 'secrets.createdAt': 1 } })
        .sort({ _id: 1 })
        .toArray(),
      c.webhookDeliveries
        .find({ tenantId: tenant }, { projection: { status: 1, resentAt: 1 } })
        .sort({ _id: 1 })
        .toArray(),
    ]);
  return { apps, users, invitations, versions, tokens, revoked, audit, cached, hooks, deliveries };
}

async function fingerprints() {
  const [a, b] = await Promise.all(tenants.map(fingerprint));
  return { [A]: a, [B]: b } as Record<TenantId, Awaited<ReturnType<typeof fingerprint>>>;
}

// ── Fixtures ──

beforeAll(async () => {
  const author = { userId: 'seed', name: 'Isolation seed', email: 'seed@example.test' };
  for (const tenant of tenants) {
    const id = `${tenant}-app`;
    const { app } = await createApp({
      id,
      tenantId: tenant,
      name: `App of ${tenant}`,
      description: '',
      config: defaultConfig(`App of ${tenant}`),
      author,
      message: 'first',
    });
    const head = await readHead(id);
    if (!head) throw new Error('createApp left no head');
    const second = await commitVersion({
      app,
      expectedVersion: head.version,
      data: { ...head.data, branding: { ...head.data.branding, displayName: 'Second' } },
      author,
      message: 'second',
    });
    if (second.status !== 'committed') throw new Error('fixture commit conflicted');
    fixtureApps.set(tenant, id);
  }

  const user = async (
    role: 'admin' | 'viewer' | 'support' | 'operator',
    tenant: TenantId | null,
  ) => {
    const doc = await createTestUser({
      id: `iso-${role}-${tenant ?? 'all'}-${run}`,
      role,
      tenantId: tenant,
    });
    return { kind: 'cookie', cookie: await sessionCookie(doc) } as const;
  };
  const token = async (scope: 'read' | 'read-write') => {
    const { secret } = await createTestToken({ tenantId: A, scope, name: `matrix ${scope}` });
    return { kind: 'bearer', token: secret } as const;
  };
  callers.push(
    {
      name: 'admin of A',
      tenant: A,
      grants: expectedGrants('admin'),
      credential: await user('admin', A),
    },
    {
      name: 'viewer of A',
      tenant: A,
      grants: expectedGrants('viewer'),
      credential: await user('viewer', A),
    },
    {
      name: 'admin of B',
      tenant: B,
      grants: expectedGrants('admin'),
      credential: await user('admin', B),
    },
    {
      name: 'support',
      tenant: null,
      grants: expectedGrants('support'),
      credential: await user('support', null),
    },
    {
      name: 'operator',
      tenant: null,
      grants: expectedGrants('operator'),
      credential: await user('operator', null),
    },
    {
      name: 'read token of A',
      tenant: A,
      grants: readTokenGrants,
      credential: await token('read'),
    },
    {
      name: 'read-write token of A',
      tenant: A,
      grants: ['config:read', 'config:edit', 'propagation:read'],
      credential: await token('read-write'),
    },
    { name: 'anonymous', tenant: null, grants: [], credential: { kind: 'none' } },
  );
});

afterAll(async () => {
  const c = await collections();
  await Promise.all([
    c.apps.deleteMany({ tenantId: { $in: [...tenants] } }),
    c.configVersions.deleteMany({ tenantId: { $in: [...tenants] } }),
    c.apiTokens.deleteMany({ tenantId: { $in: [...tenants] } }),
    c.users.deleteMany({ _id: { $regex: `^iso-.*-${run}$` } }),
    c.invitations.deleteMany({ tenantId: { $in: [...tenants] } }),
    c.webhookEndpoints.deleteMany({ tenantId: { $in: [...tenants] } }),
    c.webhookEvents.deleteMany({ tenantId: { $in: [...tenants] } }),
    c.webhookDeliveries.deleteMany({ tenantId: { $in: [...tenants] } }),
    ...[...tenants.map((t) => `${t}-app`), ...copies].map((id) =>
      primaryRedis().del(configKey(id)),
    ),
  ]);
  // A fixture migration left planned (the last caller was refused) must not reach other suites.
  const state = await getCacheState();
  if (state.migration?.target === FIXTURE_TARGET)
    await applyStep({
      expectRevision: state.revision,
      action: 'cancel',
      by: { id: 'iso-seed', name: 'Isolation seed' },
      set: { migration: null },
    });
  await c.migrations.deleteMany({ target: FIXTURE_TARGET });
  // Audit entries are append-only by design; the test tenants' ids keep them apart.
  await closeStores();
});

// ── The matrix ──

const tally = { calls: 0, refused: 0, allowed: 0 };
const refusals = new Map<Outcome, number>();
const mismatches: string[] = [];

describe('isolation matrix', () => {
  it('gives every caller exactly the outcome its role and tenant allow, and writes nothing else', async () => {
    for (const op of operations) {
      for (const caller of callers) {
        for (const target of tenants) {
          const want = expected(caller, op, target);
          const label = `${op.name} by ${caller.name} on a record of ${target === A ? 'A' : 'B'}`;
          const call = await op.prepare(caller, target);
          const before = await fingerprints();
          const got = await call();
          const after = await fingerprints();
          tally.calls += 1;
          if (got !== want) {
            mismatches.push(`${label}: expected ${want}, got ${got}`);
            continue;
          }
          if (want === 'ok') tally.allowed += 1;
          else {
            tally.refused += 1;
            refusals.set(want, (refusals.get(want) ?? 0) + 1);
          }

          for (const tenant of tenants) {
            const [b, a] = [before[tenant], after[tenant]];
            const writable =
              want === 'ok' &&
              op.writesTo !== undefined &&
              tenant === (op.writesTo === 'caller' ? caller.tenant : target);
            if (!writable && JSON.stringify(a) !== JSON.stringify(b)) {
              mismatches.push(
                `${label}: wrote to tenant ${tenant === A ? 'A' : 'B'} (${JSON.stringify(b)} → ${JSON.stringify(a)})`,
              );
            }
            if (writable && JSON.stringify(a) === JSON.stringify(b)) {
              mismatches.push(`${label}: was allowed but wrote nothing`);
            }
          }
        }
      }
    }
    console.log(
      `isolation matrix: ${tally.calls} calls, ${tally.refused} refused as expected, ${tally.allowed} allowed as expected` +
        ` (${operations.length} operations × ${callers.length} callers × ${tenants.length} tenants;` +
        ` refusals: ${[...refusals].map(([code, n]) => `${n} ${code}`).join(', ')})`,
    );
    expect(mismatches).toEqual([]);
    expect(leaks).toEqual([]);
    expect(tally.refused + tally.allowed).toBe(tally.calls);
    // Over 600 real calls, each checked for writes: a minute or two on a loaded two-core machine.
  }, 300_000);

  it('refuses state-changing route calls that ride on a cookie from another origin', async () => {
    const admin = callers.find((c) => c.name === 'admin of A');
    if (!admin) throw new Error('no admin caller');
    for (const op of operations) {
      if (!op.crossOrigin) continue;
      const before = await fingerprints();
      expect(await op.crossOrigin(admin, A), op.name).toBe('forbidden');
      expect(await fingerprints()).toEqual(before);
    }
  });

  it('covers every server action in lib/actions', () => {
    const dir = path.join(ROOT, 'lib/actions');
    const exported = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .filter((source) => /^\s*['"]use server['"]/.test(source))
      .flatMap((source) => [...source.matchAll(/export async function (\w+)/g)].map((m) => m[1]));
    const covered = new Set([
      ...operations.map((op) => op.serverAction).filter(Boolean),
      ...sessionActions,
    ]);
    expect(exported.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('covers every route handler in app/api', async () => {
    const dir = path.join(ROOT, 'app/api');
    const routeFiles = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
      (f) => path.basename(f) === 'route.ts',
    );
    const missing: string[] = [];
    for (const file of routeFiles) {
      const pattern = `/api/${path.dirname(file)}`.replace(/\/\.$/, '');
      const mod = (await import(/* @vite-ignore */ path.join(dir, file))) as Record<
        string,
        unknown
      >;
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        const name = `${method} ${pattern}`;
        if (typeof mod[method] !== 'function') continue;
        const exempt = publicRoutes.includes(name) || metricsRoutes.includes(name);
        if (!exempt && !operations.some((op) => op.route === name)) {
          missing.push(name);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
