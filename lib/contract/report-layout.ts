/**
 * Where config clients report which version they hold, on the PRIMARY Redis (replicas are
 * read-only). A public contract like cache-layout.ts: the clients write it, Propagate's server
 * (lib/instances) reads it. lib/config-client/README.md explains why reports go through Redis.
 *
 * | key                                      | type       | content                                  |
 * | ---------------------------------------- | ---------- | ---------------------------------------- |
 * | `propagate:instances:{appId}`            | sorted set | member instanceId, score reportedAt (ms) |
 * | `propagate:instance:{appId}:{instanceId}`| string     | JSON InstanceReport, expires (retention) |
 *
 * The sorted set is the index the dashboard reads in one round trip; each report key expires on
 * its own, and every write prunes index members older than the retention, so instances that
 * vanished without a goodbye disappear after the retention and the index stays bounded.
 */
export const INSTANCES_INDEX_PREFIX = 'propagate:instances:';
export const INSTANCE_REPORT_PREFIX = 'propagate:instance:';

/** How long a silent instance stays visible ("stopped reporting") before it is forgotten. */
export const DEFAULT_REPORT_RETENTION_MS = 60 * 60_000;

/** Instance ids end up in key names and in the dashboard: a short, printable token. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function instancesIndexKey(appId: string): string {
  return `${INSTANCES_INDEX_PREFIX}${appId}`;
}

export function instanceReportKey(appId: string, instanceId: string): string {
  return `${INSTANCE_REPORT_PREFIX}${appId}:${instanceId}`;
}

/** One instance's account of one app; the server validates it with zod (lib/instances). */
export interface InstanceReport {
  instanceId: string;
  region: string;
  appId: string;
  version: number;
  checksum: string;
  /** When this instance swapped the version in (ms since epoch, instance clock). */
  appliedAt: number;
  /** How long the instance may have been serving an outdated config (0 = known current). */
  stalenessMs: number;
  reportedAt: number;
  /** The report period, so the reader can tell "stopped reporting" (3 missed periods). */
  intervalMs: number;
  /** The cache deployment it reads from (clients that follow deployments only). */
  deployment?: string;
  /**
   * The instance holds the app's tombstone: the app was archived at `version` and this
   * instance no longer serves it ("gone").
   */
  archived?: true;
}

/**
 * Fleet presence, for clients that follow cache deployments (following-client.ts): one entry per
 * instance (not per app) saying which deployment it reads from and which it can reach, so the
 * migration's gates read the whole fleet in two round trips whatever the number of apps.
 *
 * | key                                  | type       | content                                   |
 * | ------------------------------------ | ---------- | ----------------------------------------- |
 * | `propagate:fleet`                    | sorted set | member instanceId, score reportedAt (ms)  |
 * | `propagate:fleet:{instanceId}`       | string     | JSON PresenceReport, expires (retention)  |
 */
export const FLEET_INDEX_KEY = 'propagate:fleet';
export const PRESENCE_PREFIX = 'propagate:fleet:';

export function presenceKey(instanceId: string): string {
  return `${PRESENCE_PREFIX}${instanceId}`;
}

export interface PresenceReport {
  instanceId: string;
  region: string;
  /** The deployment it serves from. */
  deployment: string;
  /** The active-deployment epoch it follows. */
  epoch: number;
  /** Whether its region's endpoint in each deployment it knows answers. */
  reaches: Record<string, boolean>;
  /** Deployments a finished migration retired, whose connections it closed. */
  retired?: string[];
  /** Apps it holds. */
  apps: number;
  reportedAt: number;
  intervalMs: number;
}
