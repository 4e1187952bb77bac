import { Query } from 'mingo';
import { Codes, CommandError } from './errors.js';
import { type Doc, isPlainObject, pathValues, shellValue, valueKey } from './values.js';

export interface IndexSpec {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
}

const ALLOWED_OPTIONS = new Set([
  'v',
  'key',
  'name',
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'background',
  'ns',
]);

export function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${String(dir)}`)
    .join('_');
}

/** Validates a createIndexes entry the way mongod does for the options this server supports. */
export function parseIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw))
    throw new CommandError(Codes.TypeMismatch, 'index specification must be an object');
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw new CommandError(
      Codes.FailedToParse,
      "The 'key' field of an index specification must be a non-empty object",
    );
  }
  for (const [field, dir] of Object.entries(key)) {
    if (
      dir === 'text' ||
      dir === '2d' ||
      dir === '2dsphere' ||
      dir === 'hashed' ||
      dir === 'geoHaystack'
    ) {
      throw new CommandError(
        Codes.NotImplemented,
        `index type '${dir}' is not supported by the development server`,
      );
    }
    if (typeof dir !== 'number' || dir === 0) {
      throw new CommandError(
        Codes.BadValue,
        `Values in the index key pattern can't be 0 or non-numeric: ${field}`,
      );
    }
  }
  for (const option of Object.keys(raw)) {
    if (!ALLOWED_OPTIONS.has(option)) {
      throw new CommandError(
        Codes.InvalidOptions,
        `The field '${option}' is not valid for an index specification. Specification: ${JSON.stringify(raw)}`,
      );
    }
  }
  const name = raw.name ?? defaultIndexName(key);
  if (typeof name !== 'string' || name.length === 0)
    throw new CommandError(Codes.BadValue, 'index name must be a non-empty string');
  const spec: IndexSpec = { v: 2, key, name };
  if (raw.unique === true) spec.unique = true;
  if (raw.sparse === true) spec.sparse = true;
  if (isPlainObject(raw.partialFilterExpression))
    spec.partialFilterExpression = raw.partialFilterExpression;
  if (typeof raw.expireAfterSeconds === 'number') spec.expireAfterSeconds = raw.expireAfterSeconds;
  return spec;
}

/** Two specs are "the same index" when everything but the name matches (mongod compares options too). */
export function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  const strip = ({ name: _n, v: _v, ...rest }: IndexSpec) => valueKey(rest);
  return valueKey(a.key) === valueKey(b.key) && strip(a) === strip(b);
}

/**
 * A secondary index. Only unique indexes keep entries: this server answers queries by scanning,
 * so an index exists to enforce uniqueness and to be listed back to the client.
 */
export class Index {
  readonly spec: IndexSpec;
  private readonly fields: string[];
  private readonly partial: Query | undefined;
  /** index key → _id key of the document holding it */
  private readonly entries = new Map<string, string>();

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression
      ? new Query(spec.partialFilterExpression)
      : undefined;
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /** Every key this document produces: one per array element for multikey fields. */
  keysFor(doc: Doc): Array<{ key: string; values: unknown[] }> {
    if (!this.unique) return [];
    if (this.partial && !this.partial.test(doc)) return [];
    const perField = this.fields.map((f) => {
      const found = pathValues(doc, f).flatMap((v): unknown[] =>
        Array.isArray(v) ? (v.length ? v : [undefined]) : [v],
      );
      return found.length ? found : [undefined];
    });
    if (this.spec.sparse && perField.every((vals) => vals.every((v) => v === undefined))) return [];
    let combos: unknown[][] = [[]];
    for (const vals of perField) combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
    const seen = new Map<string, unknown[]>();
    for (const values of combos) seen.set(values.map(valueKey).join('\u0000'), values);
    return [...seen].map(([key, values]) => ({ key, values }));
  }

  /** Throws E11000 if the document would collide with a different document. */
  check(doc: Doc, ownId: string, ns: string): void {
    for (const { key, values } of this.keysFor(doc)) {
      const holder = this.entries.get(key);
      if (holder !== undefined && holder !== ownId) throw this.duplicate(ns, values);
    }
  }

  add(doc: Doc, id: string): void {
    for (const { key } of this.keysFor(doc)) this.entries.set(key, id);
  }

  remove(doc: Doc, id: string): void {
    for (const { key } of this.keysFor(doc))
      if (this.entries.get(key) === id) this.entries.delete(key);
  }

  duplicate(ns: string, values: unknown[]): CommandError {
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => {
      keyValue[f] = values[i] === undefined ? null : values[i];
    });
    const shown = this.fields.map((f, i) => `${f}: ${shellValue(values[i])}`).join(', ');
    return new CommandError(
      Codes.DuplicateKey,
      `E11000 duplicate key error collection: ${ns} index: ${this.spec.name} dup key: { ${shown} }`,
      { keyPattern: this.spec.key, keyValue },
    );
  }
}
