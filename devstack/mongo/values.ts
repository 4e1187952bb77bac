import {
  Binary,
  BSONRegExp,
  Decimal128,
  Double,
  EJSON,
  Int32,
  Long,
  ObjectId,
  Timestamp,
} from 'bson';

export type Doc = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is Doc =>
  typeof v === 'object' &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

const SAFE = Long.fromNumber(Number.MAX_SAFE_INTEGER);
const UNSAFE_NEG = Long.fromNumber(Number.MIN_SAFE_INTEGER);

/**
 * Bodies are deserialised with promoteLongs:false so cursor ids stay Int64, but mingo compares
 * plain JS numbers only. Int64 values that fit in a double become numbers (the driver promotes
 * them the same way when reading), bigger ones stay Long and compare only by equality.
 */
export function normalize(value: unknown): unknown {
  if (value instanceof Long) {
    return value.lessThanOrEqual(SAFE) && value.greaterThanOrEqual(UNSAFE_NEG)
      ? value.toNumber()
      : value;
  }
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i]);
    return value;
  }
  if (isPlainObject(value)) {
    for (const k of Object.keys(value)) value[k] = normalize(value[k]);
    return value;
  }
  return value;
}

/**
 * Copies plain objects and arrays; BSON value classes are immutable so they are shared.
 * Stored documents are never mutated in place: open cursors keep the version they read.
 */
export function cloneDoc<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneDoc) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const out: Doc = {};
    for (const k of Object.keys(value)) out[k] = cloneDoc(value[k]);
    return out as T;
  }
  return value;
}

/** A string that is equal for two values exactly when MongoDB would treat them as the same key. */
export function valueKey(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number') return `n:${Object.is(value, -0) ? 0 : value}`;
  if (typeof value === 'string') return `s:${value}`;
  if (value instanceof ObjectId) return `o:${value.toHexString()}`;
  return `e:${EJSON.stringify(value, { relaxed: false })}`;
}

/** Renders a value the way mongod prints it inside `dup key: { ... }`. */
export function shellValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value instanceof Long) return value.toString();
  if (value instanceof Decimal128) return value.toString();
  if (value instanceof Binary || value instanceof Timestamp || value instanceof BSONRegExp) {
    return EJSON.stringify({ v: value }).slice(5, -1);
  }
  if (Array.isArray(value)) return `[ ${value.map(shellValue).join(', ')} ]`;
  if (isPlainObject(value)) return shellDoc(value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function')
    return String(value);
  // Any other BSON type (MinKey, Code, DBRef, ...): its extended-JSON form rather than '[object Object]'.
  return EJSON.stringify({ v: value }).slice(5, -1);
}

/** Text for a value inside an error message: primitives and scalar BSON types as String() prints them, documents as EJSON. */
export function messageValue(value: unknown): string {
  if (
    value === undefined ||
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  ) {
    return String(value);
  }
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof Date || value instanceof Long || value instanceof Decimal128)
    return value.toString();
  return EJSON.stringify(value);
}

export function shellDoc(doc: Doc): string {
  const entries = Object.entries(doc);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${k}: ${shellValue(v)}`).join(', ')} }`;
}

/** Reads a dotted path; arrays along the way yield every element's value (multikey). */
export function pathValues(doc: unknown, path: string): unknown[] {
  const parts = path.split('.');
  const out: unknown[] = [];
  const walk = (value: unknown, i: number): void => {
    if (i === parts.length) {
      out.push(value);
      return;
    }
    const part = parts[i] as string;
    if (Array.isArray(value)) {
      if (/^\d+$/.test(part)) walk(value[Number(part)], i + 1);
      else for (const el of value) walk(isPlainObject(el) ? el[part] : undefined, i + 1);
      return;
    }
    walk(isPlainObject(value) ? value[part] : undefined, i + 1);
  };
  walk(doc, 0);
  return out;
}

export const toInt = (v: unknown, fallback: number): number => {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (v instanceof Long) return v.toNumber();
  return fallback;
};
