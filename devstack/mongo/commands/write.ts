import { Codes, CommandError } from '../errors.js';
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
import { type Context, type Handler, collectionArg, docArray, optionalBool } from './context.js';

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
  const name = collectionArg(cmd, 'insert', db);
  const documents = docArray(cmd, 'documents', 'insert');
  const coll = ctx.store.getOrCreate(db, name);
  let n = 0;
  const writeErrors = eachStatement(documents, optionalBool(cmd, 'ordered', true), (doc) => {
    coll.insert(withIdFirst(doc));
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
  opts: { multi: boolean; upsert: boolean; arrayFilters?: Doc[]; sort?: Doc },
): UpdateOutcome {
  let coll: Collection | undefined = ctx.store.get(db, name);
  const matches = select(coll, { filter: q, sort: opts.sort, limit: opts.multi ? undefined : 1 });
  if (matches.length === 0) {
    if (!opts.upsert) return { matched: 0, modified: 0 };
    const doc = buildUpsert(q, u, opts.arrayFilters);
    coll ??= ctx.store.getOrCreate(db, name);
    coll.insert(doc);
    return { matched: 0, modified: 0, upserted: doc, after: doc };
  }
  let modified = 0;
  let before: Doc | undefined;
  let after: Doc | undefined;
  for (const doc of matches) {
    const next = applyUpdate(doc, u, { arrayFilters: opts.arrayFilters, query: q });
    before ??= doc;
    after ??= next;
    if (sameBson(doc, next)) continue;
    (coll as Collection).replace(doc, next);
    modified += 1;
  }
  return { matched: matches.length, modified, before, after };
}

function update(cmd: Doc, db: string, ctx: Context): Doc {
  const name = collectionArg(cmd, 'update', db);
  const updates = docArray(cmd, 'updates', 'update');
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
    const out = updateMatching(ctx, db, name, q, u, {
      multi,
      upsert: optionalBool(s, 'upsert', false),
      arrayFilters: arrayFiltersOf(s),
    });
    if (out.upserted) {
      n += 1;
      upserted.push({ index, _id: out.upserted._id });
    } else {
      n += out.matched;
      nModified += out.modified;
    }
  });
  return reply(upserted.length ? { n, nModified, upserted } : { n, nModified }, writeErrors);
}

function deleteCommand(cmd: Doc, db: string, ctx: Context): Doc {
  const name = collectionArg(cmd, 'delete', db);
  const deletes = docArray(cmd, 'deletes', 'delete');
  let n = 0;
  const writeErrors = eachStatement(deletes, optionalBool(cmd, 'ordered', true), (s) => {
    const q = statementFilter(s, 'q');
    const limit = s.limit;
    if (limit !== 0 && limit !== 1)
      throw new CommandError(
        Codes.FailedToParse,
        'The limit field in delete objects must be 0 or 1. Got ' + String(limit),
      );
    const coll = ctx.store.get(db, name);
    for (const doc of select(coll, { filter: q, limit: limit === 1 ? 1 : undefined })) {
      (coll as Collection).remove(doc);
      n += 1;
    }
  });
  return reply({ n }, writeErrors);
}

export const writeCommands: Record<string, Handler> = { insert, update, delete: deleteCommand };
