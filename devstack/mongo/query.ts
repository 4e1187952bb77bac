import { Query } from 'mingo';
import { collationKeys } from './collation.js';
import { Codes, CommandError, fromMingo } from './errors.js';
import type { Collection } from './store.js';
import { type Doc, isPlainObject } from './values.js';

export interface Selection {
  filter?: Doc;
  sort?: Doc;
  skip?: number;
  limit?: number;
  projection?: Doc;
  /** the command's `let` variables, for `$expr` */
  variables?: Doc;
  collation?: Intl.Collator;
}

/** `{_id: <value>}` with a literal value can be answered from the primary key map. */
function idLookup(filter: Doc): { id: unknown } | undefined {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return undefined;
  const id = filter._id;
  if (id === null || id === undefined || id instanceof RegExp || Array.isArray(id))
    return undefined;
  if (isPlainObject(id)) {
    const opKeys = Object.keys(id);
    if (
      opKeys.length === 1 &&
      opKeys[0] === '$eq' &&
      !isPlainObject(id.$eq) &&
      !Array.isArray(id.$eq)
    )
      return { id: id.$eq };
    if (opKeys.some((k) => k.startsWith('$'))) return undefined;
  }
  return { id };
}

type Plain = string | number;
const isPlain = (v: unknown): v is Plain => typeof v === 'string' || typeof v === 'number';

/**
 * A top-level `$or` whose every clause pins the same field to a plain string or number (how
 * readAllHeads asks for a page of 1 000 apps): only documents holding one of those values, or a
 * value of another kind that mingo must judge (an array, a Long), can match. A set lookup picks
 * them before mingo tests the clauses, instead of every clause on every document (a page of a
 * 100 000-app fleet took minutes).
 */
function orPrefilter(filter: Doc): ((doc: Doc) => boolean) | undefined {
  const clauses = filter.$or;
  if (Object.keys(filter).length !== 1 || !Array.isArray(clauses) || clauses.length < 2)
    return undefined;
  const first: unknown = clauses[0];
  if (!isPlainObject(first)) return undefined;
  const field = Object.keys(first).find(
    (k) => !k.startsWith('$') && !k.includes('.') && isPlain(first[k]),
  );
  if (field === undefined) return undefined;
  const values = new Set<Plain>();
  for (const clause of clauses) {
    const value: unknown = isPlainObject(clause) ? clause[field] : undefined;
    if (!isPlain(value)) return undefined;
    values.add(value);
  }
  return (doc) => {
    const value = doc[field];
    return !isPlain(value) || values.has(value);
  };
}

export function compileFilter(filter: unknown, variables?: Doc): Query {
  if (filter !== undefined && filter !== null && !isPlainObject(filter)) {
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'filter' is the wrong type, expected type 'object'",
    );
  }
  try {
    const query = new Query(filter ?? {}, { scriptEnabled: false, variables });
    // mingo resolves operators lazily; one probe makes an unknown operator fail up front, as in mongod.
    query.test({});
    return query;
  } catch (err) {
    throw fromMingo(err, 'query');
  }
}

export function validateSort(sort: unknown): Doc | undefined {
  if (sort === undefined || sort === null) return undefined;
  if (!isPlainObject(sort))
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'sort' is the wrong type, expected type 'object'",
    );
  for (const [field, dir] of Object.entries(sort)) {
    if (dir !== 1 && dir !== -1 && !isPlainObject(dir)) {
      throw new CommandError(
        Codes.BadValue,
        `$sort key ordering must be 1 (for ascending) or -1 (for descending); field: ${field}`,
      );
    }
  }
  return Object.keys(sort).length ? sort : undefined;
}

/**
 * Matching documents in natural order (or `sort` order). Projection is applied last so sorting
 * can use fields the projection drops, as in mongod.
 */
export function select(source: Collection | Doc[] | undefined, sel: Selection): Doc[] {
  const filter = sel.filter ?? {};
  if (sel.collation) return selectCollated(source, filter, sel, sel.collation);
  // A view's documents (an array) have no primary key map, so they are always scanned.
  const coll = Array.isArray(source) ? undefined : source;
  const fast = coll ? idLookup(filter) : undefined;
  const query = fast ? undefined : compileFilter(filter, sel.variables);
  if (!source) return [];
  let docs: Doc[];
  try {
    if (fast && coll) {
      const doc = coll.getById(fast.id);
      docs = doc ? [doc] : [];
      if (sel.skip) docs = docs.slice(sel.skip);
      if (sel.limit !== undefined && sel.limit > 0) docs = docs.slice(0, sel.limit);
      if (sel.projection && Object.keys(sel.projection).length)
        docs = project(docs, sel.projection);
    } else {
      const all = Array.isArray(source) ? source : source.all();
      const pre = orPrefilter(filter);
      const cursor = (query as Query).find(pre ? all.filter(pre) : all, sel.projection ?? {});
      const sort = validateSort(sel.sort);
      if (sort) cursor.sort(sort);
      if (sel.skip) cursor.skip(sel.skip);
      if (sel.limit !== undefined && sel.limit > 0) cursor.limit(sel.limit);
      docs = cursor.all() as Doc[];
    }
  } catch (err) {
    throw fromMingo(err, 'query');
  }
  return sel.projection && Object.keys(sel.projection).length ? docs.map(idFirst) : docs;
}

/**
 * Filter and sort under a collation run on documents whose strings are replaced by their
 * collation ranks; the stored documents are returned, then projected.
 */
function selectCollated(
  source: Collection | Doc[] | undefined,
  filter: Doc,
  sel: Selection,
  collator: Intl.Collator,
): Doc[] {
  const docs = Array.isArray(source) ? source : (source?.all() ?? []);
  const keys = collationKeys(docs, filter, collator);
  const query = compileFilter(keys.filter(filter), sel.variables);
  const { keyed, original } = keys.documents(docs);
  let found: Doc[];
  try {
    const cursor = query.find(keyed);
    const sort = validateSort(sel.sort);
    if (sort) cursor.sort(sort);
    if (sel.skip) cursor.skip(sel.skip);
    if (sel.limit !== undefined && sel.limit > 0) cursor.limit(sel.limit);
    found = (cursor.all() as Doc[]).map(original);
  } catch (err) {
    throw fromMingo(err, 'query');
  }
  return sel.projection && Object.keys(sel.projection).length
    ? project(found, sel.projection).map(idFirst)
    : found;
}

export function project(docs: Doc[], projection: Doc): Doc[] {
  try {
    return new Query({}, { scriptEnabled: false }).find(docs, projection).all() as Doc[];
  } catch (err) {
    throw fromMingo(err, 'query');
  }
}

/** mingo appends `_id` after included fields; mongod keeps it first. */
export function idFirst(doc: Doc): Doc {
  if (!('_id' in doc) || Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}
