import { BSON, Decimal128, Long, ObjectId } from 'bson';
import { Aggregator, ProcessingMode, update as mingoUpdate } from 'mingo';
import { Codes, CommandError, fromMingo } from './errors.js';
import {
  type Doc,
  cloneDoc,
  isPlainObject,
  messageValue,
  pathValues,
  shellValue,
  valueKey,
} from './values.js';

export type UpdateSpec = Doc | Doc[];

export function validateUpdateSpec(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject))
      throw new CommandError(
        Codes.FailedToParse,
        'Each element of the update pipeline must be an object',
      );
    return u;
  }
  if (!isPlainObject(u))
    throw new CommandError(
      Codes.FailedToParse,
      'Update argument must be either an object or an array',
    );
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length > 0 && ops.length !== keys.length) {
    const plain = keys.find((k) => !k.startsWith('$'));
    throw new CommandError(
      Codes.FailedToParse,
      `Unknown modifier: ${plain}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  return u;
}

const isOperatorUpdate = (u: Doc): boolean => Object.keys(u).some((k) => k.startsWith('$'));

/** mongod stores `_id` as the first field whatever order the client used. */
export function withIdFirst(doc: Doc): Doc {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

export interface ApplyOptions {
  arrayFilters?: Doc[];
  /** the update's filter, needed to resolve the positional `$` operator */
  query?: Doc;
  /** true when building the document an upsert inserts: `$setOnInsert` applies then only */
  inserting?: boolean;
  /** the command's `let` variables, visible to pipeline updates as `$$name` */
  variables?: Doc;
}

/** The stages MongoDB allows in an update pipeline. */
const UPDATE_STAGES = new Set([
  '$addFields',
  '$set',
  '$project',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
]);

/**
 * Runs an update pipeline over one document with the aggregation engine. A result without
 * `_id` (e.g. `$replaceRoot` to a sub-document) keeps the original `_id`, as mongod does.
 */
export function pipelineUpdate(doc: Doc, pipeline: Doc[], variables: Doc | undefined): Doc {
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0] ?? '';
    if (Object.keys(stage).length !== 1 || !UPDATE_STAGES.has(op)) {
      throw new CommandError(
        Codes.InvalidOptions,
        `${op || 'An empty stage'} is not allowed to be used within an update`,
      );
    }
  }
  const [out] = new Aggregator(pipeline, {
    processingMode: ProcessingMode.CLONE_INPUT,
    scriptEnabled: false,
    variables,
  }).run<Doc>([cloneDoc(doc)]);
  if (!isPlainObject(out))
    throw new CommandError(Codes.InternalError, 'update pipeline produced no document');
  if (out._id === undefined && doc._id !== undefined) return { _id: doc._id, ...out };
  return out;
}

/** Returns the updated copy; the stored document is left untouched. */
export function applyUpdate(doc: Doc, u: UpdateSpec, opts: ApplyOptions = {}): Doc {
  let result: Doc;
  try {
    if (Array.isArray(u)) {
      result = pipelineUpdate(doc, u, opts.variables);
    } else if (isOperatorUpdate(u)) {
      const { $setOnInsert, ...rest } = u;
      const modifier: Doc = { ...rest };
      if (opts.inserting && isPlainObject($setOnInsert))
        modifier.$set = { ...(isPlainObject(rest.$set) ? rest.$set : {}), ...$setOnInsert };
      doc = opts.inserting ? takeInsertedId(doc, modifier) : doc;
      for (const [op, arg] of Object.entries(modifier)) {
        if (!isPlainObject(arg)) {
          throw new CommandError(
            Codes.FailedToParse,
            `Modifiers operate on fields but we found type ${Array.isArray(arg) ? 'array' : typeof arg} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(arg)}}`,
          );
        }
      }
      checkTargetTypes(doc, modifier);
      result = cloneDoc(doc);
      const positional = Object.values(modifier).some((arg) =>
        Object.keys(arg as Doc).some((p) => /(^|\.)\$(\.|$)/.test(p)),
      );
      if (Object.keys(modifier).length) {
        mingoUpdate(
          result,
          modifier as never,
          opts.arrayFilters,
          positional && !opts.inserting ? opts.query : undefined,
        );
      }
    } else {
      if (u._id !== undefined && doc._id !== undefined && valueKey(u._id) !== valueKey(doc._id)) {
        throw new CommandError(
          Codes.ImmutableField,
          `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${messageValue(u._id)}`,
        );
      }
      const { _id: _ignored, ...fields } = u;
      result = doc._id === undefined ? { ...fields } : { _id: doc._id, ...fields };
    }
  } catch (err) {
    throw fromMingo(err, 'update');
  }
  if (doc._id !== undefined && valueKey(result._id) !== valueKey(doc._id)) {
    throw new CommandError(
      Codes.ImmutableField,
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }
  return result;
}

const NUMERIC_OPS = ['$inc', '$mul'];
const ARRAY_OPS = ['$push', '$addToSet', '$pop', '$pull', '$pullAll'];
const isNumeric = (v: unknown): boolean =>
  typeof v === 'number' || v instanceof Long || v instanceof Decimal128;

/**
 * mingo skips operators whose target has the wrong type; mongod rejects the update instead.
 * Only plain paths are checked (positional ones are left to mingo).
 */
function checkTargetTypes(doc: Doc, modifier: Doc): void {
  const typeName = (v: unknown): string =>
    v === null
      ? 'null'
      : Array.isArray(v)
        ? 'array'
        : v instanceof Date
          ? 'date'
          : isPlainObject(v)
            ? 'object'
            : typeof v;
  const idText = `{_id: ${shellValue(doc._id)}}`;
  for (const [op, arg] of Object.entries(modifier)) {
    const numeric = NUMERIC_OPS.includes(op);
    if ((!numeric && !ARRAY_OPS.includes(op)) || !isPlainObject(arg)) continue;
    for (const path of Object.keys(arg)) {
      if (path.includes('$')) continue;
      for (const v of pathValues(doc, path)) {
        if (v === undefined) continue;
        if (numeric && !isNumeric(v)) {
          throw new CommandError(
            Codes.TypeMismatch,
            `Cannot apply ${op} to a value of non-numeric type. ${idText} has the field '${path}' of non-numeric type ${typeName(v)}`,
          );
        }
        if (!numeric && !Array.isArray(v)) {
          throw new CommandError(
            Codes.BadValue,
            `The field '${path}' must be an array but is of type ${typeName(v)} in document ${idText}`,
          );
        }
      }
    }
  }
}

/**
 * An upsert may choose the new document's _id with `$set`/`$setOnInsert`; mingo forbids every
 * write to _id, so it is moved into the seed document before the operators run.
 */
function takeInsertedId(seed: Doc, modifier: Doc): Doc {
  const set = modifier.$set;
  if (!isPlainObject(set) || set._id === undefined) return seed;
  const { _id, ...others } = set;
  if (seed._id !== undefined && valueKey(seed._id) !== valueKey(_id)) {
    throw new CommandError(
      Codes.ImmutableField,
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }
  if (Object.keys(others).length) modifier.$set = others;
  else delete modifier.$set;
  return { _id, ...seed };
}

/** The document an upsert starts from: the equality conditions of its filter. */
export function upsertSeed(query: Doc): Doc {
  const equalities: Doc = {};
  const collect = (q: Doc): void => {
    for (const [key, value] of Object.entries(q)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const part of value) if (isPlainObject(part)) collect(part);
      } else if (key.startsWith('$')) {
        continue;
      } else if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
        if ('$eq' in value) equalities[key] = value.$eq;
      } else {
        equalities[key] = value;
      }
    }
  };
  collect(query);
  // mingo refuses any write to _id, so the seed gets it directly.
  const { _id, ...rest } = equalities;
  const seed: Doc = _id === undefined ? {} : { _id };
  if (Object.keys(rest).length) {
    try {
      mingoUpdate(seed, { $set: cloneDoc(rest) });
    } catch (err) {
      throw fromMingo(err, 'update');
    }
  }
  return seed;
}

export function buildUpsert(
  query: Doc,
  u: UpdateSpec,
  opts: { arrayFilters?: Doc[]; variables?: Doc } = {},
): Doc {
  const seed = upsertSeed(query);
  if (!Array.isArray(u) && !isOperatorUpdate(u)) {
    // A replacement's own `_id` wins, even when it is null.
    const { _id, ...fields } = u;
    const id = '_id' in u ? _id : seed._id;
    return withIdFirst(id === undefined ? fields : { _id: id, ...fields });
  }
  const built = applyUpdate(seed, u, { ...opts, inserting: true });
  return withIdFirst(built);
}

export const sameBson = (a: Doc, b: Doc): boolean =>
  Buffer.from(BSON.serialize(a)).equals(BSON.serialize(b));
