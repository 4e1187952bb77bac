/**
 * The public REST API's contract: every operation with its path, permission and schemas. Route
 * handlers are built from these (`defineRoute(operations.x, …)`), and the OpenAPI document at
 * /api/openapi.json is generated from them, so the document cannot drift from the code.
 *
 * Endpoints that only the dashboard uses (fleet, regions, latency) are not part of the contract.
 */
import { z } from 'zod';
import type { Permission } from '@/lib/auth/roles';
import {
  appInstancesSchema,
  appPageSchema,
  appPropagationSchema,
  appSchema,
  configDiffSchema,
  configDocumentSchema,
  diffQuerySchema,
  forcedPushSchema,
  forcePushBodySchema,
  listAppsQuerySchema,
  listVersionsQuerySchema,
  propagationStreamEventSchema,
  rollbackBodySchema,
  rollbackReviewQuerySchema,
  rollbackReviewSchema,
  rolledBackSchema,
  saveConfigBodySchema,
  savedConfigSchema,
  versionPageSchema,
  versionParamsSchema,
} from '@/lib/schemas/api';
import { appParamsSchema, propagationQuerySchema } from '@/lib/schemas/propagation';

/** Bumped on a breaking change; additions (new fields, new operations) keep it. */
export const API_VERSION = '1.0.0';

export interface ApiOperation {
  /** Also the OpenAPI operationId. */
  name: string;
  method: 'get' | 'put' | 'post';
  /** OpenAPI template: `/api/apps/{appId}`. */
  path: string;
  tag: 'Apps' | 'Configuration' | 'History' | 'Propagation';
  summary: string;
  description: string;
  permission: Permission;
  params: z.ZodType;
  query: z.ZodType;
  body?: z.ZodType;
  /** The success status and its body. */
  success: { status: 200 | 201; description: string; schema: z.ZodType };
  /** Problem statuses this operation answers besides 400, 401, 403, 404, 500. */
  problems?: readonly number[];
  /** Requires `If-Match: "v{N}"` and answers 412/428. */
  conditional?: boolean;
  /** Sends an `ETag` and honours `If-None-Match` with 304. */
  etag?: boolean;
  mutates?: boolean;
  idempotent?: boolean;
  /** Answers with a Server-Sent Events stream (`text/event-stream`) of `success.schema` events. */
  stream?: boolean;
}

const noQuery = z.object({});

/**
 * A save and a rollback are the same kind of write: the next version of an app's config, made
 * from the version `If-Match` names (409/412/428), with a JSON body (415/422), repeatable under an
 * `Idempotency-Key`.
 */
const versionedWrite = {
  permission: 'config:edit',
  params: appParamsSchema,
  query: noQuery,
  problems: [409, 412, 415, 422, 428],
  conditional: true,
  mutates: true,
  idempotent: true,
} as const;

export const operations = {
  listApps: {
    name: 'listApps',
    method: 'get',
    path: '/api/apps',
    tag: 'Apps',
    summary: 'List apps',
    description:
      'The apps the caller may see, by id, a page at a time: follow `next` until it is null.',
    permission: 'config:read',
    params: z.object({}),
    query: listAppsQuerySchema,
    success: { status: 200, description: 'A page of apps.', schema: appPageSchema },
  },
  getApp: {
    name: 'getApp',
    method: 'get',
    path: '/api/apps/{appId}',
    tag: 'Apps',
    summary: 'Get an app',
    description:
      'One app with its newest version. Another tenant’s app is 404, like an unknown one.',
    permission: 'config:read',
    params: appParamsSchema,
    query: noQuery,
    success: { status: 200, description: 'The app.', schema: appSchema },
  },
  getConfig: {
    name: 'getConfig',
    method: 'get',
    path: '/api/apps/{appId}/config',
    tag: 'Configuration',
    summary: 'Get the current configuration',
    description:
      'The newest version (the head) with its config. Secrets read "__unchanged__". The `ETag` ("v{N}") is what a save sends back in `If-Match`.',
    permission: 'config:read',
    params: appParamsSchema,
    query: noQuery,
    success: { status: 200, description: 'The head version.', schema: configDocumentSchema },
    etag: true,
  },
  saveConfig: {
    name: 'saveConfig',
    method: 'put',
    path: '/api/apps/{appId}/config',
    tag: 'Configuration',
    summary: 'Save a new configuration',
    description:
      'Saves the config as the next version and pushes it to the primary cache, exactly as the dashboard’s editor does (same validation, conflict rules, audit and secret handling). `If-Match` names the version the config was edited from; if the app has moved on, the answer is 412 with what changed. A secret sent as "__unchanged__" or "" keeps the stored one. A config equal to the head saves nothing and answers 200 with `changed: false`. Accepts `Idempotency-Key`.',
    ...versionedWrite,
    body: saveConfigBodySchema,
    success: { status: 200, description: 'Saved (or unchanged).', schema: savedConfigSchema },
  },
  listVersions: {
    name: 'listVersions',
    method: 'get',
    path: '/api/apps/{appId}/versions',
    tag: 'History',
    summary: 'List versions',
    description: 'The app’s history, newest first, without configs; follow `next` for older ones.',
    permission: 'config:read',
    params: appParamsSchema,
    query: listVersionsQuerySchema,
    success: { status: 200, description: 'A page of versions.', schema: versionPageSchema },
  },
  getVersion: {
    name: 'getVersion',
    method: 'get',
    path: '/api/apps/{appId}/versions/{version}',
    tag: 'History',
    summary: 'Get one version',
    description: 'A version with its config; secrets read "__unchanged__".',
    permission: 'config:read',
    params: versionParamsSchema,
    query: noQuery,
    success: { status: 200, description: 'The version.', schema: configDocumentSchema },
  },
  diffVersions: {
    name: 'diffVersions',
    method: 'get',
    path: '/api/apps/{appId}/diff',
    tag: 'History',
    summary: 'Compare two versions',
    description:
      'What changed from one version to another, field by field. A changed secret is reported without its values.',
    permission: 'config:read',
    params: appParamsSchema,
    query: diffQuerySchema,
    success: { status: 200, description: 'The changes.', schema: configDiffSchema },
  },
  reviewRollback: {
    name: 'reviewRollback',
    method: 'get',
    path: '/api/apps/{appId}/rollback',
    tag: 'History',
    summary: 'Review a rollback before making it',
    description:
      'The secrets a rollback to `toVersion` would change, by name, never by value: those rotated since (`changes-back`, kept unless the rollback asks to `restore`) and those the current config no longer holds (`returns`). Changes nothing.',
    permission: 'config:read',
    params: appParamsSchema,
    query: rollbackReviewQuerySchema,
    success: { status: 200, description: 'The review.', schema: rollbackReviewSchema },
  },
  rollbackConfig: {
    name: 'rollbackConfig',
    method: 'post',
    path: '/api/apps/{appId}/rollback',
    tag: 'History',
    summary: 'Roll back to an older version',
    description:
      'Saves a new version whose config equals `toVersion` (history is append-only) and pushes it. Secrets changed since `toVersion` keep their current values unless `secrets` is `restore`; the answer names which were kept and which came back (`GET` on this path shows them first). `If-Match` names the current version, as for a save. Accepts `Idempotency-Key`.',
    ...versionedWrite,
    body: rollbackBodySchema,
    success: { status: 201, description: 'The new version.', schema: rolledBackSchema },
  },
  getPropagation: {
    name: 'getPropagation',
    method: 'get',
    path: '/api/apps/{appId}/propagation',
    tag: 'Propagation',
    summary: 'Where the configuration has reached',
    description:
      'Per region: the version it serves and its state. With `version=N` the request waits (up to `waitMs`, at most 60 s) until every region holds N or newer, then answers with `wait.converged`.',
    permission: 'propagation:read',
    params: appParamsSchema,
    query: propagationQuerySchema,
    success: { status: 200, description: 'Status per region.', schema: appPropagationSchema },
    problems: [429],
  },
  forcePush: {
    name: 'forcePush',
    method: 'post',
    path: '/api/apps/{appId}/force-push',
    tag: 'Propagation',
    summary: 'Overwrite a diverged cache entry',
    description:
      'For support and operators, when `pushState` is `diverged`: the primary cache holds the head version with another checksum (e.g. after MongoDB was restored), which a normal push never replaces. Writes MongoDB’s copy over that same version; a newer version in the cache is never replaced (422). Requires `confirm: true`; recorded in the audit log.',
    permission: 'push:force',
    params: appParamsSchema,
    query: noQuery,
    body: forcePushBodySchema,
    success: {
      status: 200,
      description: 'The cache holds MongoDB’s copy.',
      schema: forcedPushSchema,
    },
    problems: [415, 422],
    mutates: true,
  },
  streamPropagation: {
    name: 'streamPropagation',
    method: 'get',
    path: '/api/apps/{appId}/propagation/events',
    tag: 'Propagation',
    summary: 'Follow where the configuration has reached, as it happens',
    description:
      'Server-Sent Events (`text/event-stream`, e.g. with `EventSource` or `curl -N`): the whole status at once (`status`), then again on every change, named by what changed. A client that reads slowly gets the newest status rather than every one in between, and one that falls far behind is disconnected. The stream never ends by itself; reconnect when it drops (a proxy may close idle connections despite the heartbeats). Open streams and long-poll waits count together against a per-caller limit (429 with `Retry-After`).',
    permission: 'propagation:read',
    params: appParamsSchema,
    query: noQuery,
    success: {
      status: 200,
      description: 'A stream of events, each carrying the whole status.',
      schema: propagationStreamEventSchema,
    },
    problems: [429],
    stream: true,
  },
  getInstances: {
    name: 'getInstances',
    method: 'get',
    path: '/api/apps/{appId}/instances',
    tag: 'Propagation',
    summary: 'Which version each server holds',
    description:
      'Per region, the service instances that read this app’s config through the config client and the version each one applied.',
    permission: 'propagation:read',
    params: appParamsSchema,
    query: noQuery,
    success: { status: 200, description: 'Instances per region.', schema: appInstancesSchema },
  },
} as const satisfies Record<string, ApiOperation>;

export type OperationName = keyof typeof operations;
