import { Aggregator } from 'mingo';
import { Codes, CommandError, fromMingo, notSupported } from '../errors.js';
import { select } from '../query.js';
import { validateCollectionName } from '../store.js';
import { pipelineUpdate, withIdFirst } from '../update-doc.js';
import { type Doc, isPlainObject, messageValue, pathValues, valueKey } from '../values.js';
import type { Context } from './context.js';

/** `$out` / `$merge` write into a collection of the aggregate's own database. */
function targetName(db: string, into: unknown, stage: string): string {
  if (typeof into === 'string') return validateCollectionName(db, into);
  if (isPlainObject(into)) {
    if (into.db !== undefined && into.db !== db)
      throw notSupported(`${stage} into another database (${messageValue(into.db)})`);
    return validateCollectionName(db, into.coll);
  }
  throw new CommandError(Codes.TypeMismatch, `${stage} target must be a string or an object`);
}

/**
 * `$out`: the results replace the target's documents in one step; its indexes stay. When a
 * result breaks a unique index nothing changes, as in mongod.
 */
export function writeOut(ctx: Context, db: string, spec: unknown, docs: Doc[]): void {
  const name = targetName(db, spec, '$out');
  const prepared = docs.map(withIdFirst);
  const existing = ctx.store.get(db, name);
  const trial = ctx.store.detached(db, name, existing?.indexSpecs() ?? []);
  for (const doc of prepared) trial.insert(doc);
  const target = existing ?? ctx.store.create(db, name);
  for (const doc of target.all()) target.remove(doc);
  for (const doc of prepared) target.insert(doc);
}

const WHEN_MATCHED = new Set(['replace', 'keepExisting', 'merge', 'fail']);
const WHEN_NOT_MATCHED = new Set(['insert', 'discard', 'fail']);

/** `$merge` one result at a time, like mongod: writes before a failing document stay. */
export function writeMerge(
  ctx: Context,
  db: string,
  spec: unknown,
  docs: Doc[],
  variables: Doc | undefined,
): void {
  const opts: Doc = typeof spec === 'string' ? { into: spec } : isPlainObject(spec) ? spec : {};
  const name = targetName(db, opts.into, '$merge');
  const on = opts.on === undefined ? ['_id'] : [opts.on].flat();
  if (!on.every((f): f is string => typeof f === 'string'))
    throw new CommandError(
      Codes.TypeMismatch,
      "$merge 'on' must be a string or an array of strings",
    );
  const whenMatched = opts.whenMatched ?? 'merge';
  const whenNotMatched = opts.whenNotMatched ?? 'insert';
  if (!Array.isArray(whenMatched) && !WHEN_MATCHED.has(messageValue(whenMatched)))
    throw new CommandError(
      Codes.BadValue,
      `Enumeration value '${messageValue(whenMatched)}' for field 'whenMatched' is not a valid value.`,
    );
  if (!WHEN_NOT_MATCHED.has(messageValue(whenNotMatched)))
    throw new CommandError(
      Codes.BadValue,
      `Enumeration value '${messageValue(whenNotMatched)}' for field 'whenNotMatched' is not a valid value.`,
    );
  const coll = ctx.store.getOrCreate(db, name);
  if (on.join() !== '_id') {
    const unique = coll
      .indexSpecs()
      .some((s) => s.unique && Object.keys(s.key).sort().join() === [...on].sort().join());
    if (!unique)
      throw new CommandError(51183, 'Cannot find index to verify that join fields will be unique');
  }
  for (const result of docs) {
    const filter: Doc = {};
    for (const field of on) {
      const [value] = pathValues(result, field);
      if (value === undefined || Array.isArray(value))
        throw new CommandError(
          51132,
          `$merge write error: 'on' field '${field}' cannot be missing, null, undefined or an array`,
        );
      filter[field] = value;
    }
    const [found] = select(coll, { filter: { $and: [filter] }, limit: 1 });
    if (!found) {
      if (whenNotMatched === 'discard') continue;
      if (whenNotMatched === 'fail')
        throw new CommandError(
          Codes.MergeStageNoMatchingDocument,
          '$merge could not find a matching document in the target collection for at least one document in the source collection',
        );
      coll.insert(withIdFirst(result));
      continue;
    }
    if (whenMatched === 'keepExisting') continue;
    // mongod inserts here, so the unique index reports the clash (E11000 with keyPattern/keyValue).
    if (whenMatched === 'fail') {
      coll.insert(withIdFirst(result));
      continue;
    }
    let next: Doc;
    if (Array.isArray(whenMatched)) {
      // `let` values are expressions over the result document; without `let`, `$$new` is it.
      const own = isPlainObject(opts.let) ? evaluateOn(result, opts.let) : { new: result };
      next = pipelineUpdate(found, whenMatched as Doc[], { ...variables, ...own });
    } else if (whenMatched === 'replace') {
      next = { ...result, _id: found._id };
    } else {
      next = { ...found, ...result, _id: found._id };
    }
    if (result._id !== undefined && valueKey(result._id) !== valueKey(found._id))
      throw new CommandError(
        Codes.ImmutableField,
        "$merge failed to update the matching document, did you attempt to modify the _id or the shard key? :: caused by :: Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    coll.replace(found, withIdFirst(next));
  }
}

function evaluateOn(doc: Doc, expressions: Doc): Doc {
  try {
    const [out] = new Aggregator([{ $replaceWith: expressions }], {
      scriptEnabled: false,
    }).run<Doc>([doc]);
    return out ?? {};
  } catch (err) {
    throw fromMingo(err, 'aggregate');
  }
}
