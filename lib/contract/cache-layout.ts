/**
 * The cache layout: a public contract between Propagate, the config client in every service,
 * and the tests (docs/architecture.md, "The cache contract"). Change it only with all of them.
 */
export const CONFIG_KEY_PREFIX = 'propagate:cfg:';
export const UPDATES_CHANNEL = 'propagate:cfg-updates';

export function configKey(appId: string): string {
  return `${CONFIG_KEY_PREFIX}${appId}`;
}

/**
 * The fields of the `propagate:cfg:{appId}` hash. An entry is either a config (with `body`) or a
 * **tombstone** (with `archived` and no `body`): the app was archived at that version and
 * services must stop serving it. A tombstone is a version like any other, so the same
 * compare-and-set orders it: it never replaces a newer config (a restore is a newer version),
 * and a late config never replaces a newer tombstone. Its `checksum` is the retired config's.
 */
export interface CachedConfigFields {
  version: string;
  checksum: string;
  /** Config entries only: the canonical JSON whose sha256 is `checksum`. */
  body?: string;
  /** Tombstones only: always `'1'`. */
  archived?: string;
  committedAt: string;
  pushedAt: string;
}

/** The value of a tombstone's `archived` field. */
export const TOMBSTONE_MARK = '1';

/** What is published on `propagate:cfg-updates` after every accepted write. */
export interface UpdateMessage {
  appId: string;
  version: number;
  checksum: string;
  committedAt: number;
  /** Present (true) when the write was a tombstone. */
  archived?: true;
}

export function parseUpdateMessage(raw: string): UpdateMessage | null {
  try {
    const m = JSON.parse(raw) as Partial<UpdateMessage>;
    if (
      typeof m.appId === 'string' &&
      Number.isInteger(m.version) &&
      typeof m.checksum === 'string' &&
      typeof m.committedAt === 'number'
    ) {
      return m as UpdateMessage;
    }
  } catch {
    // A malformed message is ignored: the periodic stamp check catches whatever it announced.
  }
  return null;
}

/** A region's stamp for one app: version + checksum, or null when the key is missing. */
export interface Stamp {
  version: number;
  checksum: string;
  committedAt: number | null;
  pushedAt: number | null;
}

export function parseStamp(fields: (string | null)[]): Stamp | null {
  const [version, checksum, committedAt, pushedAt] = fields;
  if (version == null || checksum == null) return null;
  const v = Number(version);
  if (!Number.isInteger(v)) return null;
  return {
    version: v,
    checksum,
    committedAt: committedAt ? Number(committedAt) : null,
    pushedAt: pushedAt ? Number(pushedAt) : null,
  };
}

/** The HMGET field order that parseStamp expects. */
export const STAMP_FIELDS = ['version', 'checksum', 'committedAt', 'pushedAt'] as const;

/*
 * Keys Propagate's own servers keep on the primary beside the contract; services never read
 * them. Listed here so every key name in the cache can be found from one place:
 * - `propagate:region-down:{region}`: when a region was first seen failing
 *   (lib/propagation/read-stamps.ts);
 * - `propagate:{signin}:*`: the sign-in limits' counters, one Cluster slot by their hash tag
 *   (lib/session/sign-in-limits.ts).
 */
