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
}
