/**
 * Canonical JSON and the config checksum: a public contract (docs/architecture.md, "The cache contract").
 * Services in other languages recompute the checksum, so the rules are deliberately those of
 * RFC 8785 (JCS) for JSON data: object keys sorted by UTF-16 code units, no whitespace, numbers
 * and strings serialised as ECMAScript's JSON.stringify does. Array order is data and is kept.
 *
 * Anything JSON cannot represent faithfully is rejected rather than silently dropped or turned
 * into null, because a checksum over a lossy body would "verify" the wrong data.
 */
import { createHash } from 'node:crypto';

export class CanonicalJsonError extends TypeError {
  constructor(reason: string, path: readonly (string | number)[]) {
    super(`canonicalJson: ${reason} at ${path.length ? path.join('.') : '(root)'}`);
    this.name = 'CanonicalJsonError';
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function write(value: unknown, path: (string | number)[], seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new CanonicalJsonError(`${value} is not a JSON number`, path);
      return JSON.stringify(value); // -0 becomes 0, as in JCS
    case 'object': {
      if (value === null) return 'null';
      if (seen.has(value)) throw new CanonicalJsonError('circular reference', path);
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value.map((item, i) => write(item, [...path, i], seen)).join(',')}]`;
      } else if (isPlainObject(value)) {
        const keys = Object.keys(value).sort(); // default sort compares UTF-16 code units
        out = `{${keys
          .map((k) => `${JSON.stringify(k)}:${write(value[k], [...path, k], seen)}`)
          .join(',')}}`;
      } else {
        // Dates, ObjectIds, Maps… have no single JSON form; convert them before hashing.
        const name = value.constructor?.name ?? 'object';
        throw new CanonicalJsonError(`${name} is not plain JSON data`, path);
      }
      seen.delete(value);
      return out;
    }
    default:
      // undefined, functions, symbols, bigints
      throw new CanonicalJsonError(`${typeof value} is not JSON`, path);
  }
}

/** Stable JSON text: equal data gives equal text whatever the key order. Throws CanonicalJsonError. */
export function canonicalJson(value: unknown): string {
  return write(value, [], new Set());
}

/** sha256 (lower-case hex) of the UTF-8 canonical JSON: the `checksum` field of the cache entry. */
export function checksum(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
