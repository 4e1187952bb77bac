import { Codes, CommandError, notSupported } from '../errors.js';
import { select } from '../query.js';
import type { Collection } from '../store.js';
import {
  applyUpdate,
  buildUpsert,
  sameBson,
  validateUpdateSpec,
  withIdFirst,
} from '../update-doc.js';
import { type Doc, isPlainObject } from '../values.js';
import {
  type Context,
  type Handler,
  checkHint,
  collationOf,
  writableCollectionArg,
  docArray,
  letVariables,
  optionalBool,
  statementOnce,
} from './context.js';

/**
 * Runs each statement; a CommandError becomes a writeError entry. Ordered writes stop at the first
 * one, unordered carry on, like mongod.
 */
function eachStatement<T>(
  statements: T[],
  ordered: boolean,
  run: (s: T, i: number) => void,
): Doc[] {
  const writeErrors: Doc[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      run(statements[i] as T, i);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      writeErrors.push(err.toWriteError(i));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function reply(fields: Doc, writeErrors: Doc[]): Doc {
  return writeErrors.length ? { ...fields, writeErrors, ok: 1 } : { ...fields, ok: 1 };
}

function insert(cmd: Doc, db: string, ctx: Context): Doc {
  const name = writableCollectionArg(cmd, 'insert', db, ctx);
  const documents = docArray(cmd, 'documents', 'insert');
  const coll = ctx.store.getOrCreate(db, name);
  let n = 0;
  const writeErrors = eachStatement(documents, optionalBool(cmd, 'ordered', true), (doc, i) => {
    statementOnce(ctx, i, () => {
      coll.insert(withIdFirst(doc));
      return { n: 1 };
    });
    n += 1;
  });
  return reply({ n }, writeErrors);
}

function statementFilter(s: Doc, field: string): Doc {
  const q = s[field] ?? {};
  if (!isPlainObject(q))
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${field}' is the wrong type, expected type 'object'`,
    );
  return q;
}

function arrayFiltersOf(s: Doc): Doc[] | undefined {
  const af = s.arrayFilters;
  if (af === undefined || af === null) return undefined;
  if (!Array.isArray(af) || !af.every(isPlainObject))
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'arrayFilters' must be an array of objects",
    );
  return af;
}

/** mongod 7.0 parses statements strictly: an option it does not know is an error, not ignored. */
const UPDATE_FIELDS = new Set([
  'q',
  'u',
  'c',
  'multi',
  'upsert',
  'arrayFilters',
  'hint',
  'collation',
  'upsertSupplied',
]);
const DELETE_FIELDS = new Set(['q', 'limit', 'hint', 'collation']);

function checkFields(s: Doc, allowed: Set<string>, path: string): void {
  for (const key of Object.keys(s))
    if (!allowed.has(key))
      throw new CommandError(
        Codes.Location40415,
        `BSON field '${path}.${key}' is an unknown field.`,
      );
}

/** Update operators that compare values, which a collation would have to change. */
const COMPARING_UPDATES = ['$addToSet', '$pull', '$pullAll'];

function checkCollatedUpdate(u: Doc | Doc[], arrayFilters: Doc[] | undefined): void {
  if (Array.isArray(u)) throw notSupported('a pipeline update with a collation');
  if (arrayFilters) throw notSupported('arrayFilters with a collation');
  for (const op of COMPARING_UPDATES) if (op in u) throw notSupported(`${op} with a collation`);
  for (const arg of Object.values(u))
    if (isPlainObject(arg) && Object.keys(arg).some((p) => /(^|\.)\$(\.|$)/.test(p)))
      throw notSupported('the positional $ operator with a collation');
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upserted?: Doc;
  before?: Doc;
  after?: Doc;
}

/** Shared by `update` and `findAndModify`: finds, applies, enforces indexes, upserts. */
export function updateMatching(
  ctx: Context,
  db: string,
  name: string,
  q: Doc,
  u: Doc | Doc[],
  opts: {
    multi: boolean;
    upsert: boolean;
    arrayFilters?: Doc[];
    sort?: Doc;
    variables?: Doc;
    collation?: Intl.Collator;
    hint?: unknown;
  },
): UpdateOutcome {
  let coll: Collection | undefined = ctx.store.get(db, name);
  checkHint(coll, opts.hint);
  if (opts.collation) checkCollatedUpdate(u, opts.arrayFilters);
  const matches = select(coll, {
    filter: q,
    sort: opts.sort,
    limit: opts.multi ? undefined : 1,
    variables: opts.variables,
    collation: opts.collation,
  });
  if (matches.length === 0) {
    if (!opts.upsert) return { matched: 0, modified: 0 };
    const doc = buildUpsert(q, u, { arrayFilters: opts.arrayFilters, variables: opts.variables });
    coll ??= ctx.store.getOrCreate(db, name);
    coll.insert(doc);
    return { matched: 0, modified: 0, upserted: doc, after: doc };
  }
  let modified = 0;
  let before: Doc | undefined;
  let after: Doc | undefined;
  for (const doc of matches) {
    const next = applyUpdate(doc, u, {
      arrayFilters: opts.arrayFilters,
      query: q,
      variables: opts.variables,
    });
    before ??= doc;
    after ??= next;
    if (sameBson(doc, next)) continue;
    (coll as Collection).replace(doc, next);
    modified += 1;
  }
  return { matched: matches.length, modified, before, after };
}

function update(cmd: Doc, db: string, ctx: Context): Doc {
  const name = writableCollectionArg(cmd, 'update', db, ctx);
  const updates = docArray(cmd, 'updates', 'update');
  const variables = letVariables(cmd, 'update');
  for (const s of updates) checkFields(s, UPDATE_FIELDS, 'update.updates');
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors = eachStatement(updates, optionalBool(cmd, 'ordered', true), (s, index) => {
    const q = statementFilter(s, 'q');
    const u = validateUpdateSpec(s.u);
    const multi = optionalBool(s, 'multi', false);
    if (multi && !Array.isArray(u) && !Object.keys(u).some((k) => k.startsWith('$'))) {
      throw new CommandError(
        Codes.FailedToParse,
        'multi update is not supported for replacement-style update',
      );
    }
    if (multi && ctx.retryableWrite)
      throw new CommandError(
        Codes.InvalidOptions,
        'Cannot use (or request) retryable writes with multi=true',
      );
    const out = statementOnce(ctx, index, () => {
      const done = updateMatching(ctx, db, name, q, u, {
        multi,
        upsert: optionalBool(s, 'upsert', false),
        arrayFilters: arrayFiltersOf(s),
        variables,
        collation: collationOf(s),
        hint: s.hint,
      });
      return done.upserted
        ? { n: 1, nModified: 0, upsertedId: done.upserted._id }
        : { n: done.matched, nModified: done.modified };
    });
    n += out.n as number;
    nModified += out.nModified as number;
    if ('upsertedId' in out) upserted.push({ index, _id: out.upsertedId });
  });
  return reply(upserted.length ? { n, nModified, upserted } : { n, nModified }, writeErrors);
}

function deleteCommand(cmd: Doc, db: string, ctx: Context): Doc {
  const name = writableCollectionArg(cmd, 'delete', db, ctx);
  const deletes = docArray(cmd, 'deletes', 'delete');
  const variables = letVariables(cmd, 'delete');
  for (const s of deletes) checkFields(s, DELETE_FIELDS, 'delete.deletes');
  let n = 0;
  const writeErrors = eachStatement(deletes, optionalBool(cmd, 'ordered', true), (s, index) => {
    const q = statementFilter(s, 'q');
    const limit = s.limit;
    if (limit !== 0 && limit !== 1)
      throw new CommandError(
        Codes.FailedToParse,
        'The limit field in delete objects must be 0 or 1. Got ' + String(limit),
      );
    if (limit === 0 && ctx.retryableWrite)
      throw new CommandError(
        Codes.InvalidOptions,
        'Cannot use (or request) retryable writes with limit=0',
      );
    const coll = ctx.store.get(db, name);
    checkHint(coll, s.hint);
    const out = statementOnce(ctx, index, () => {
      const matches = select(coll, {
        filter: q,
        limit: limit === 1 ? 1 : undefined,
        variables,
        collation: collationOf(s),
      });
      for (const doc of matches) (coll as Collection).remove(doc);
      return { n: matches.length };
    });
    n += out.n as number;
  });
  return reply({ n }, writeErrors);
}

export const writeCommands: Record<string, Handler> = { insert, update, delete: deleteCommand };
