/**
 * Turns a `propagate:cfg:{appId}` hash (as HGETALL returns it) into a verified config, or says
 * why it cannot be used. Pure, so every rule is unit-tested without Redis.
 */
import { TOMBSTONE_MARK } from '../contract/cache-layout';
import { checksum as checksumOf } from '../contract/canonical-json';
import { openSecrets, type SecretKeys } from '../contract/secret-envelope';

export interface VerifiedEntry<T> {
  version: number;
  checksum: string;
  config: T;
  committedAt: number | null;
}

export type DecodeResult<T> =
  | { status: 'ok'; entry: VerifiedEntry<T> }
  /** No key (or an empty one): the replica has nothing for this app yet. */
  | { status: 'missing' }
  /** A tombstone: the app was archived at this version and must no longer be served. */
  | { status: 'archived'; version: number; checksum: string; committedAt: number | null }
  | { status: 'invalid'; version: number | null; checksum: string | null; reason: string }
  /** A secret is sealed with a key this client was not given (lib/contract/secret-envelope.ts). */
  | { status: 'missing-key'; version: number; checksum: string; kid: string; path: string }
  | { status: 'checksum-mismatch'; version: number; checksum: string; actual: string };

function optionalMs(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** Which app the entry belongs to and the keys that open its sealed secrets. */
export interface OpenWith {
  appId: string;
  keys: SecretKeys;
}

const NO_KEYS: OpenWith = { appId: '', keys: new Map() };

/**
 * The checksum is sha256 of the canonical JSON of the parsed body (lib/contract/canonical-json.ts), so a
 * body re-serialised with other whitespace or key order still verifies, and any change to the
 * data does not. Sealed secrets are opened first: the checksum is over the plain config.
 * `validate` lets a service refuse a config whose shape it cannot use.
 */
export function decodeEntry<T>(
  fields: Record<string, string>,
  validate: (config: unknown) => T,
  secrets: OpenWith = NO_KEYS,
): DecodeResult<T> {
  if (fields.version === undefined && fields.body === undefined) return { status: 'missing' };
  const version = Number(fields.version);
  const stamped = fields.checksum ?? null;
  if (!Number.isSafeInteger(version) || version < 1) {
    return {
      status: 'invalid',
      version: null,
      checksum: stamped,
      reason: `version ${JSON.stringify(fields.version ?? null)} is not a positive integer`,
    };
  }
  if (fields.archived === TOMBSTONE_MARK && stamped) {
    return {
      status: 'archived',
      version,
      checksum: stamped,
      committedAt: optionalMs(fields.committedAt),
    };
  }
  if (!stamped || fields.body === undefined) {
    return {
      status: 'invalid',
      version,
      checksum: stamped,
      reason: 'the entry has no checksum or no body',
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fields.body);
  } catch {
    return { status: 'invalid', version, checksum: stamped, reason: 'the body is not JSON' };
  }
  const opened = openSecrets(parsed, secrets.keys, { appId: secrets.appId, version });
  if (opened.status === 'missing-key')
    return {
      status: 'missing-key',
      version,
      checksum: stamped,
      kid: opened.kid,
      path: opened.path,
    };
  if (opened.status === 'invalid')
    return { status: 'invalid', version, checksum: stamped, reason: opened.reason };
  parsed = opened.value;
  let actual: string;
  try {
    actual = checksumOf(parsed);
  } catch (error) {
    return {
      status: 'invalid',
      version,
      checksum: stamped,
      reason: `the body cannot be hashed: ${String(error)}`,
    };
  }
  if (actual !== stamped)
    return { status: 'checksum-mismatch', version, checksum: stamped, actual };
  let config: T;
  try {
    config = validate(parsed);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      status: 'invalid',
      version,
      checksum: stamped,
      reason: `validate() refused it: ${why}`,
    };
  }
  return {
    status: 'ok',
    entry: { version, checksum: stamped, config, committedAt: optionalMs(fields.committedAt) },
  };
}

/** Freezes the config all the way down: every caller of get() shares one object. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
