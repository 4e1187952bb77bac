import 'server-only';
import type { ObjectId } from 'mongodb';
import type { AppConfig } from '@/lib/schemas/config';
import type { Role } from '@/lib/auth/roles';
import { getDb } from '@/lib/db/mongo';
import type { NewArrival } from '@/lib/model/arrival';
import type { CacheStateDoc, MigrationDoc } from '@/lib/model/migration';
import type { WebhookDeliveryStatus, WebhookEventType } from '@/lib/schemas/webhooks';

/** The shapes stored in MongoDB. Only modules under lib/db touch these collections. */

export interface TenantDoc {
  _id: string;
  name: string;
  createdAt: Date;
}

export interface AppDoc {
  _id: string;
  tenantId: string;
  name: string;
  description: string;
  createdAt: Date;
  /** Materialised from config_versions for cheap lists; the worker repairs it if a write died midway. */
  headVersion: number;
  /** When the head was committed, materialised with headVersion: sorts the list by last change. */
  updatedAt?: Date;
  /**
   * Materialised with headVersion: set when the head is a tombstone (the app is archived), null
   * or absent otherwise. Archived apps are listed apart and are read-only.
   */
  archivedAt?: Date | null;
}

export interface Author {
  userId: string;
  name: string;
  email: string;
}

export interface ConfigVersionDoc {
  _id?: ObjectId;
  appId: string;
  tenantId: string;
  version: number;
  data: AppConfig;
  checksum: string;
  author: Author;
  message: string;
  createdAt: Date;
  /** null until the primary cache holds this version (or a newer one): the outbox. */
  pushedAt: Date | null;
  pushAttempts: number;
  lastPushError: string | null;
  nextPushAt: Date | null;
  rollbackOf: number | null;
  /**
   * When a push found this same version with another checksum in the primary cache (e.g. after a
   * MongoDB restore): not pushed, not retried, until support forces a re-push. null or absent
   * otherwise.
   */
  divergedAt?: Date | null;
  /**
   * A tombstone: the app was archived at this version. Its data and checksum are those of the
   * version it retired, so history can show and restore it; the cache gets no body for it.
   */
  archived?: true;
  /** The request that committed it (logs): the worker's push retries carry the same id. */
  requestId?: string;
}

export interface UserDoc {
  _id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  passwordHash: string;
  disabled: boolean;
  /** Bumped to revoke every session of the user at their next request. */
  sessionVersion: number;
  createdAt: Date;
  lastSignInAt?: Date | null;
}

/**
 * One signed-in browser. The cookie names it, so one browser can sign out alone, and the Users
 * page can count a person's active sessions. Ends at expiresAt (the cookie's own lifetime).
 */
export interface SessionDoc {
  _id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/**
 * An invitation to join a tenant. The link's secret is shown once to the inviting admin and only
 * its sha256 is kept; accepting is a conditional update on `acceptedAt: null`, so it works once.
 */
export interface InvitationDoc {
  _id: string;
  tenantId: string;
  email: string;
  role: 'admin' | 'viewer';
  tokenHash: string;
  createdBy: Author;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiTokenDoc {
  _id: string;
  tenantId: string;
  name: string;
  scope: 'read' | 'read-write';
  /** sha256 of the secret; the secret itself is shown once and never stored. */
  hash: string;
  /** First characters, so people can tell their tokens apart. */
  prefix: string;
  createdBy: Author;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The last-admin guard's counter of a tenant's enabled admins (see lib/db/tenant-admins.ts). */
export interface TenantAdminsDoc {
  _id: string;
  enabledAdmins: number;
}

export interface AuditDoc {
  _id?: ObjectId;
  at: Date;
  action: string;
  actor: { kind: 'user' | 'token' | 'anonymous' | 'system'; id: string | null; name: string };
  tenantId: string | null;
  appId: string | null;
  summary: string;
  details: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}

export interface ArrivalDoc extends NewArrival {
  _id?: ObjectId;
}

/** A replayable answer to a write sent with an Idempotency-Key (see lib/api/idempotency.ts). */
export interface IdempotencyDoc {
  /** sha256 of caller, operation and key: one caller's keys never meet another's. */
  _id: string;
  /** sha256 of method, path and body: the same key with another request is refused. */
  fingerprint: string;
  state: 'pending' | 'done';
  status: number | null;
  headers: Record<string, string>;
  body: string | null;
  createdAt: Date;
}

/**
 * The outbox of every deployment other than the active one (config_versions.pushedAt is the
 * active one's): one entry per deployment and app, holding the newest version it still needs.
 */
export interface DeploymentOutboxDoc {
  _id: string;
  deployment: string;
  appId: string;
  version: number;
  attempts: number;
  nextPushAt: Date;
  lastError: string | null;
  createdAt: Date;
}

/** A signing secret of a webhook endpoint: the raw key behind `whsec_…`, shown to the admin once. */
export interface WebhookSecret {
  key: string;
  createdAt: Date;
  /** A rotated-out secret keeps signing beside the new one until then, so receivers can switch. */
  expiresAt: Date | null;
}

/** Where a tenant wants Propagate's own events sent (not the webhooks inside a CIAM config). */
export interface WebhookEndpointDoc {
  _id: string;
  tenantId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  /** Empty: every app of the tenant. */
  appIds: string[];
  enabled: boolean;
  /** Newest first. */
  secrets: WebhookSecret[];
  createdBy: Author;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One event, produced once: its id is derived from what it is about (type, app, version,
 * region), so every process that notices it writes the same document and only the first insert
 * counts. The body is stored as sent, so every attempt and resend signs the same bytes.
 */
export interface WebhookEventDoc {
  _id: string;
  tenantId: string;
  appId: string;
  type: WebhookEventType;
  body: string;
  createdAt: Date;
  /** Deliveries were created for every endpoint that wanted it; null until then. */
  fannedOutAt: Date | null;
  /** region.lagging only: when the region caught up again (the recovered event was produced). */
  recoveredAt?: Date | null;
  region?: string;
}

export interface WebhookAttempt {
  at: Date;
  /** null: no HTTP answer (refused address, DNS, timeout, connection). */
  responseCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** One event for one endpoint: its attempts, and when the next one is due. */
export interface WebhookDeliveryDoc {
  _id: string;
  endpointId: string;
  tenantId: string;
  eventId: string;
  eventType: WebhookEventType;
  appId: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  /** attemptCount when the current round of retries began (a resend starts a new one). */
  roundStart?: number;
  /** The most recent attempts, newest last (bounded). */
  attempts: WebhookAttempt[];
  nextAttemptAt: Date | null;
  /** A worker holds it until then (an attempt in flight); another may take it after. */
  leaseUntil: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  resentAt: Date | null;
}

/** A migration that ended (finished or cancelled), kept for the record. */
export interface MigrationRecordDoc extends MigrationDoc {
  _id: string;
  endedAt: Date;
  outcome: 'finished' | 'cancelled';
}

export async function collections() {
  const db = await getDb();
  return {
    tenants: db.collection<TenantDoc>('tenants'),
    apps: db.collection<AppDoc>('apps'),
    configVersions: db.collection<ConfigVersionDoc>('config_versions'),
    users: db.collection<UserDoc>('users'),
    sessions: db.collection<SessionDoc>('sessions'),
    tenantAdmins: db.collection<TenantAdminsDoc>('tenant_admins'),
    invitations: db.collection<InvitationDoc>('invitations'),
    apiTokens: db.collection<ApiTokenDoc>('api_tokens'),
    audit: db.collection<AuditDoc>('audit_log'),
    arrivals: db.collection<ArrivalDoc>('arrivals'),
    idempotencyKeys: db.collection<IdempotencyDoc>('idempotency_keys'),
    cacheState: db.collection<CacheStateDoc>('cache_state'),
    deploymentOutbox: db.collection<DeploymentOutboxDoc>('deployment_outbox'),
    migrations: db.collection<MigrationRecordDoc>('migrations'),
    webhookEndpoints: db.collection<WebhookEndpointDoc>('webhook_endpoints'),
    webhookEvents: db.collection<WebhookEventDoc>('webhook_events'),
    webhookDeliveries: db.collection<WebhookDeliveryDoc>('webhook_deliveries'),
  };
}

let indexesReady: Promise<void> | undefined;

/** Idempotent: createIndexes with the same spec is a no-op, so every process may call it. */
export function ensureIndexes(): Promise<void> {
  indexesReady ??= (async () => {
    const c = await collections();
    await Promise.all([
      c.apps.createIndex({ tenantId: 1, name: 1 }),
      // The concurrency control: two saves from the same head cannot both write version N+1.
      c.configVersions.createIndex(
        { appId: 1, version: 1 },
        { unique: true, name: 'app_version_unique' },
      ),
      c.configVersions.createIndex({ appId: 1, version: -1 }, { name: 'app_head' }),
      c.configVersions.createIndex({ pushedAt: 1, createdAt: 1 }, { name: 'push_outbox' }),
      // Versions committed in the last seconds or minutes: the status observer's reconcile and
      // the worker's arrival poller (every second) both ask for them.
      c.configVersions.createIndex({ createdAt: 1 }, { name: 'committed_at' }),
      c.configVersions.createIndex({ divergedAt: 1 }, { name: 'diverged_at', sparse: true }),
      c.users.createIndex({ email: 1 }, { unique: true }),
      c.users.createIndex({ tenantId: 1, email: 1 }),
      c.sessions.createIndex({ userId: 1, expiresAt: 1 }),
      c.invitations.createIndex({ tokenHash: 1 }, { unique: true }),
      c.invitations.createIndex({ tenantId: 1, createdAt: -1 }),
      c.apiTokens.createIndex({ hash: 1 }, { unique: true }),
      c.apiTokens.createIndex({ tenantId: 1, createdAt: -1, _id: -1 }),
      // Audit pages are read newest first in (at, _id) order, within a tenant or across all.
      c.audit.createIndex({ tenantId: 1, at: -1, _id: -1 }),
      c.audit.createIndex({ at: -1, _id: -1 }),
      c.arrivals.createIndex({ appId: 1, version: 1, region: 1 }, { unique: true }),
      c.arrivals.createIndex({ region: 1, arrivedAt: -1 }),
      c.idempotencyKeys.createIndex({ createdAt: 1 }, { expireAfterSeconds: 24 * 3600 }),
      c.deploymentOutbox.createIndex({ deployment: 1, nextPushAt: 1 }),
      c.webhookEndpoints.createIndex({ tenantId: 1, createdAt: -1 }),
      // Events not yet fanned out, and open lags (region.lagging without a recovery).
      c.webhookEvents.createIndex({ fannedOutAt: 1, createdAt: 1 }),
      c.webhookEvents.createIndex({ type: 1, recoveredAt: 1 }),
      c.webhookEvents.createIndex({ createdAt: 1 }, { expireAfterSeconds: 30 * 24 * 3600 }),
      // The dispatcher's due query, and an endpoint's delivery log newest first.
      c.webhookDeliveries.createIndex({ status: 1, nextAttemptAt: 1 }),
      c.webhookDeliveries.createIndex({ endpointId: 1, createdAt: -1 }),
      c.webhookDeliveries.createIndex({ createdAt: 1 }, { expireAfterSeconds: 30 * 24 * 3600 }),
    ]);
  })().catch((error: unknown) => {
    indexesReady = undefined;
    throw error;
  });
  return indexesReady;
}
