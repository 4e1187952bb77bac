import { EJSON } from 'bson';
import { isPlainObject } from '../values.js';

/**
 * The Unified Test Format's "Evaluating Matches": expected values are a subset of actual ones for
 * root-level documents, exact for nested ones, with `$$` operators and flexible numerics.
 * Returns null on a match, otherwise a message with the path where the two differ.
 */
export interface MatchContext {
  /** Looks up `$$matchesEntity` / `$$sessionLsid` names. */
  entity?: (name: string) => unknown;
}

export function match(
  expected: unknown,
  actual: unknown,
  opts: { root: boolean; ctx?: MatchContext },
): string | null {
  return matchAt(expected, actual, opts.root, opts.ctx ?? {}, '');
}

/** Exact comparison used for `outcome`: key order is free, numbers compare by value. */
export function sameData(expected: unknown, actual: unknown): string | null {
  return matchAt(expected, actual, false, {}, '', true);
}

/**
 * BSON values are recognised by their `_bsontype` tag: the driver may carry its own copy of the
 * bson package, so `instanceof` is not reliable.
 */
const bsonType = (v: unknown): string | undefined =>
  typeof v === 'object' && v !== null && '_bsontype' in v ? String(v._bsontype) : undefined;

const NUMERIC = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  const t = bsonType(v);
  if (t === 'Int32' || t === 'Double') return (v as { valueOf(): number }).valueOf();
  if (t === 'Long') return (v as { toNumber(): number }).toNumber();
  return undefined;
};

/**
 * The driver builds some command fields as Maps (`sort`) or class instances (`readConcern`);
 * they are compared as the documents they serialise to.
 */
const asDocument = (v: unknown): unknown => {
  if (v instanceof Map) return Object.fromEntries(v);
  if (
    typeof v !== 'object' ||
    v === null ||
    isPlainObject(v) ||
    Array.isArray(v) ||
    v instanceof Date ||
    bsonType(v) !== undefined
  )
    return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
};

const specialKey = (v: unknown): string | undefined => {
  if (!isPlainObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0]?.startsWith('$$') ? keys[0] : undefined;
};

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return String(v);
  }
}

function matchAt(
  expected: unknown,
  actual: unknown,
  root: boolean,
  ctx: MatchContext,
  path: string,
  exact = false,
): string | null {
  const at = path || '(root)';
  actual = asDocument(actual);
  const op = exact ? undefined : specialKey(expected);
  if (op) return special(op, (expected as Record<string, unknown>)[op], actual, root, ctx, path);

  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return `${at}: expected a document, got ${show(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const sub = path ? `${path}.${key}` : key;
      const valueOp = exact ? undefined : specialKey(value);
      if (valueOp === '$$exists') {
        const present = key in actual && actual[key] !== undefined;
        if (present !== (value as Record<string, unknown>).$$exists)
          return `${sub}: expected ${present ? 'no field' : 'the field to exist'}`;
        continue;
      }
      if (valueOp === '$$unsetOrMatches' && actual[key] === undefined) continue;
      if (!(key in actual) || actual[key] === undefined) return `${sub}: missing`;
      const problem = matchAt(value, actual[key], false, ctx, sub, exact);
      if (problem) return problem;
    }
    if (!root) {
      const extra = Object.keys(actual).filter((k) => !(k in expected) && actual[k] !== undefined);
      if (extra.length) return `${at}: unexpected field(s) ${extra.join(', ')}`;
    }
    return null;
  }

  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length)
      return `${at}: expected ${expected.length} element(s), got ${actual.length}: ${show(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const problem = matchAt(expected[i], actual[i], false, ctx, `${path}[${i}]`, exact);
      if (problem) return problem;
    }
    return null;
  }
  return sameScalar(expected, actual)
    ? null
    : `${at}: expected ${show(expected)}, got ${show(actual)}`;
}

function sameScalar(expected: unknown, actual: unknown): boolean {
  const e = NUMERIC(expected);
  if (e !== undefined) return NUMERIC(actual) === e;
  if (expected === null) return actual === null;
  if (expected instanceof Date)
    return actual instanceof Date && actual.getTime() === expected.getTime();
  const t = bsonType(expected);
  if (t !== undefined)
    return bsonType(actual) === t && EJSON.stringify(expected) === EJSON.stringify(actual);
  return expected === actual;
}

/** `$type` names as the server documents them. */
function typeNames(v: unknown): string[] {
  if (v === null) return ['null'];
  if (v === undefined) return [];
  if (typeof v === 'string') return ['string'];
  if (typeof v === 'boolean') return ['bool'];
  // The driver reads int32, and int64 that fit, back as plain numbers.
  if (typeof v === 'number')
    return Number.isInteger(v) ? ['int', 'long', 'double', 'number'] : ['double', 'number'];
  if (v instanceof Date) return ['date'];
  if (Array.isArray(v)) return ['array'];
  const t = bsonType(v);
  const names: Record<string, string[]> = {
    Int32: ['int', 'number'],
    Long: ['long', 'number'],
    Double: ['double', 'number'],
    Decimal128: ['decimal', 'number'],
    ObjectId: ['objectId'],
    Binary: ['binData'],
    Timestamp: ['timestamp'],
  };
  if (t !== undefined) return names[t] ?? [t];
  if (isPlainObject(v)) return ['object'];
  return [];
}

function special(
  op: string,
  arg: unknown,
  actual: unknown,
  root: boolean,
  ctx: MatchContext,
  path: string,
): string | null {
  const at = path || '(root)';
  switch (op) {
    case '$$exists':
      return (actual !== undefined) === arg ? null : `${at}: $$exists ${String(arg)} failed`;
    case '$$type': {
      const wanted = Array.isArray(arg) ? (arg as string[]) : [String(arg)];
      const have = typeNames(actual);
      return wanted.some((t) => have.includes(t))
        ? null
        : `${at}: expected type ${wanted.join('|')}, got ${show(actual)}`;
    }
    case '$$unsetOrMatches':
      return actual === undefined ? null : matchAt(arg, actual, root, ctx, path);
    case '$$matchesEntity':
    case '$$sessionLsid': {
      const value = ctx.entity?.(String(arg));
      if (value === undefined) return `${at}: no entity named ${String(arg)}`;
      return matchAt(value, actual, root, ctx, path);
    }
    case '$$lte': {
      const a = NUMERIC(actual);
      const e = NUMERIC(arg);
      return a !== undefined && e !== undefined && a <= e
        ? null
        : `${at}: ${show(actual)} > ${show(arg)}`;
    }
    case '$$matchAsRoot':
      return matchAt(arg, actual, true, ctx, path);
    default:
      return `${at}: unsupported match operator ${op}`;
  }
}
