/**
 * Secret fields sealed for the cache: a public contract between Propagate (which seals) and the
 * config client (which opens), docs/architecture.md, "The cache contract".
 *
 * In a cache entry's `body`, each secret string is replaced by an envelope
 *   {"$enc":"v1","kid":"<key id>","iv":"<base64, 12 bytes>","ct":"<base64 ciphertext + 16-byte tag>"}
 * sealed with AES-256-GCM under the key `kid` names, with a random IV per field. The additional
 * authenticated data binds the app id, the version and the field's path, so an envelope copied to
 * another app, version or field does not open. Everything else in the body stays plain: services
 * and support still see what is served. The entry's checksum is over the plain config, so stamps
 * compare equal whatever key sealed them; the client checks it after opening.
 *
 * Keys come as a keyring, `kid:base64key,kid:base64key` (32-byte keys), from the environment of
 * the writer and of every service.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENVELOPE_VERSION = 'v1';
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Letters, digits, `.`, `_` and `-`: a key id sits in the keyring text and in every envelope. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Key id → 32-byte key. */
export type SecretKeys = ReadonlyMap<string, Uint8Array>;

/** The key new entries are sealed with. */
export interface SealingKey {
  kid: string;
  key: Uint8Array;
}

export interface Envelope {
  $enc: typeof ENVELOPE_VERSION;
  kid: string;
  iv: string;
  ct: string;
}

/** What a sealed field is bound to besides its key. */
export interface SealContext {
  appId: string;
  version: number;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Strict base64: decoding and encoding again gives the text back (padding aside). */
function strictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  const unpadded = (s: string) => s.replace(/=+$/, '');
  return unpadded(bytes.toString('base64')) === unpadded(text) ? bytes : null;
}

/**
 * Parses a keyring, `kid:base64key,kid:base64key`. Throws a TypeError that names the entry and
 * what is wrong with it (never the key itself).
 */
export function parseSecretKeys(text: string): Map<string, Uint8Array> {
  const keys = new Map<string, Uint8Array>();
  const entries = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new TypeError('lists no key (expected kid:base64key,…)');
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon);
    const where = `entry ${i + 1}${colon > 0 ? ` ("${kid}")` : ''}`;
    if (colon < 1) throw new TypeError(`${where} is not of the form kid:base64key`);
    if (!KEY_ID_PATTERN.test(kid))
      throw new TypeError(`${where}: the key id must match ${KEY_ID_PATTERN}`);
    if (keys.has(kid)) throw new TypeError(`${where}: key id "${kid}" is listed twice`);
    const key = strictBase64(entry.slice(colon + 1));
    if (!key) throw new TypeError(`${where}: the key is not base64`);
    if (key.length !== KEY_BYTES)
      throw new TypeError(
        `${where}: the key is ${key.length} bytes, AES-256 needs ${KEY_BYTES} (openssl rand -base64 32)`,
      );
    keys.set(kid, key);
  });
  return keys;
}

const DESCEND = Symbol('descend');

/**
 * A copy of a JSON value in which `at` may replace any node (given its dotted path, array items
 * by index); where it answers DESCEND, arrays and objects are copied and walked into.
 */
function rebuild(value: unknown, at: (node: unknown, path: string) => unknown): unknown {
  const walk = (node: unknown, path: string): unknown => {
    const replaced = at(node, path);
    if (replaced !== DESCEND) return replaced;
    const child = (k: string | number) => (path ? `${path}.${k}` : String(k));
    if (Array.isArray(node)) return node.map((item, i) => walk(item, child(i)));
    if (isPlainObject(node))
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, child(k))]));
    return node;
  };
  return walk(value, '');
}

function aad(context: SealContext, path: string): Buffer {
  return Buffer.from(
    JSON.stringify(['propagate-secret', ENVELOPE_VERSION, context.appId, context.version, path]),
    'utf8',
  );
}

export function sealValue(plain: string, key: SealingKey, context: SealContext, path: string) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key.key, iv);
  cipher.setAAD(aad(context, path));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    $enc: ENVELOPE_VERSION,
    kid: key.kid,
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
  } satisfies Envelope;
}

/**
 * A copy of `value` in which every string at a path `isSecret` accepts (dotted, array items by
 * index: `signIn.social.0.clientSecret`) is an envelope sealed with `key`.
 */
export function sealSecrets(
  value: unknown,
  key: SealingKey,
  context: SealContext,
  isSecret: (path: string) => boolean,
): unknown {
  return rebuild(value, (node, path) =>
    typeof node === 'string' && isSecret(path) ? sealValue(node, key, context, path) : DESCEND,
  );
}

export type OpenResult =
  | { status: 'ok'; value: unknown }
  /** An envelope names a key that is not in the keyring: the keyring is behind the writer. */
  | { status: 'missing-key'; kid: string; path: string }
  /** An envelope is malformed, altered, or sealed for another app, version or field. */
  | { status: 'invalid'; reason: string };

class Refusal extends Error {
  constructor(readonly result: Exclude<OpenResult, { status: 'ok' }>) {
    super(result.status);
  }
}

function openEnvelope(
  node: Record<string, unknown>,
  keys: SecretKeys,
  context: SealContext,
  path: string,
): string {
  const { $enc, kid, iv, ct, ...rest } = node;
  const shaped =
    $enc === ENVELOPE_VERSION &&
    typeof kid === 'string' &&
    typeof iv === 'string' &&
    typeof ct === 'string' &&
    Object.keys(rest).length === 0;
  if (!shaped)
    throw new Refusal({
      status: 'invalid',
      reason: `the sealed secret at ${path} is not a ${ENVELOPE_VERSION} envelope`,
    });
  const key = keys.get(kid);
  if (!key) throw new Refusal({ status: 'missing-key', kid, path });
  const ivBytes = strictBase64(iv);
  const sealed = strictBase64(ct);
  try {
    if (!ivBytes || ivBytes.length !== IV_BYTES || !sealed || sealed.length < TAG_BYTES)
      throw new Error('malformed');
    const decipher = createDecipheriv(CIPHER, key, ivBytes);
    decipher.setAAD(aad(context, path));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new Refusal({
      status: 'invalid',
      reason: `the sealed secret at ${path} does not open with key "${kid}": it was altered, or sealed for another app, version or field`,
    });
  }
}

/** A copy of `value` with every envelope opened; a body without envelopes comes back as it is. */
export function openSecrets(value: unknown, keys: SecretKeys, context: SealContext): OpenResult {
  try {
    return {
      status: 'ok',
      value: rebuild(value, (node, path) =>
        isPlainObject(node) && Object.hasOwn(node, '$enc')
          ? openEnvelope(node, keys, context, path)
          : DESCEND,
      ),
    };
  } catch (error) {
    if (error instanceof Refusal) return error.result;
    throw error;
  }
}

/** The key ids the envelopes in `value` name (for checking that a rotation reached every entry). */
export function sealedKeyIds(value: unknown): Set<string> {
  const kids = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isPlainObject(node)) {
      if (Object.hasOwn(node, '$enc') && typeof node.kid === 'string') kids.add(node.kid);
      else Object.values(node).forEach(walk);
    }
  };
  walk(value);
  return kids;
}
