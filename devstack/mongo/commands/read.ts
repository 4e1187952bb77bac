import { Long } from 'bson';
import { Aggregator, ProcessingMode } from 'mingo';
import { compare } from 'mingo/util';
import { Codes, CommandError, fromMingo } from '../errors.js';
import { select } from '../query.js';
import { validateCollectionName } from '../store.js';
import { type Doc, isPlainObject, pathValues, valueKey } from '../values.js';
import {
  type Context,
  type Handler,
  collectionArg,
  cursorReply,
  optionalBool,
  optionalDoc,
  optionalInt,
} from './context.js';

const UNSUPPORTED_STAGES = new Set([
  '$out',
  '$merge',
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$search',
  '$geoNear',
  '$planCacheStats',
]);

function batchSizeOf(cmd: Doc, command: string): number | undefined {
  return optionalInt(cmd, 'batchSize', command);
}

function find(cmd: Doc, db: string, ctx: Context): Doc {
  const name = collectionArg(cmd, 'find', db);
  if (cmd.tailable || cmd.awaitData)
    throw new CommandError(
      Codes.NotImplemented,
      'tailable cursors are not supported by the development server',
    );
  const rawLimit = cmd.limit instanceof Long ? cmd.limit.toNumber() : cmd.limit;
  if (rawLimit !== undefined && rawLimit !== null && typeof rawLimit !== 'number') {
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'FindCommandRequest.limit' is the wrong type, expected a number",
    );
  }
  let limit = typeof rawLimit === 'number' ? Math.trunc(rawLimit) : undefined;
  let singleBatch = optionalBool(cmd, 'singleBatch', false);
  if (limit !== undefined && limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const docs = select(ctx.store.get(db, name), {
    filter: optionalDoc(cmd, 'filter', 'find') ?? {},
    sort: optionalDoc(cmd, 'sort', 'find'),
    projection: optionalDoc(cmd, 'projection', 'find'),
    skip: optionalInt(cmd, 'skip', 'find'),
    limit: limit || undefined,
  });
  const batchSize = batchSizeOf(cmd, 'find');
  const batch = ctx.cursors.first(
    `${db}.${name}`,
    docs,
    batchSize === 0 ? undefined : batchSize,
    singleBatch,
  );
  return cursorReply(batch.id, batch.ns, batch.docs, true);
}

function getMore(cmd: Doc, db: string, ctx: Context): Doc {
  const raw = cmd.getMore;
  const id = raw instanceof Long ? raw : typeof raw === 'number' ? Long.fromNumber(raw) : undefined;
  if (!id)
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'getMore.getMore' is the wrong type, expected type 'long'",
    );
  if (typeof cmd.collection !== 'string')
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'getMore.collection' is missing but a required field",
    );
  const batchSize = batchSizeOf(cmd, 'getMore');
  const batch = ctx.cursors.more(id, `${db}.${cmd.collection}`, batchSize || undefined);
  return cursorReply(batch.id, batch.ns, batch.docs, false);
}

function count(cmd: Doc, db: string, ctx: Context): Doc {
  const name = collectionArg(cmd, 'count', db);
  const docs = select(ctx.store.get(db, name), {
    filter: optionalDoc(cmd, 'query', 'count') ?? {},
    skip: optionalInt(cmd, 'skip', 'count'),
    limit: Math.abs(optionalInt(cmd, 'limit', 'count', -Infinity) ?? 0) || undefined,
  });
  return { n: docs.length, ok: 1 };
}

/** mongod collects distinct values in a BSON-ordered set, so the reply comes back sorted. */
function distinct(cmd: Doc, db: string, ctx: Context): Doc {
  const name = collectionArg(cmd, 'distinct', db);
  const key = cmd.key;
  if (typeof key !== 'string')
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'distinct.key' is the wrong type, expected type 'string'",
    );
  const docs = select(ctx.store.get(db, name), {
    filter: optionalDoc(cmd, 'query', 'distinct') ?? {},
  });
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const v of pathValues(doc, key)) {
      for (const el of Array.isArray(v) ? v : [v]) {
        if (el !== undefined) seen.set(valueKey(el), el);
      }
    }
  }
  return { values: [...seen.values()].sort(compare), ok: 1 };
}

function aggregate(cmd: Doc, db: string, ctx: Context): Doc {
  const target = cmd.aggregate;
  const name = target === 1 ? undefined : validateCollectionName(db, target);
  if (!Array.isArray(cmd.pipeline))
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'aggregate.pipeline' is missing or is not an array",
    );
  if (cmd.explain)
    throw new CommandError(
      Codes.NotImplemented,
      'explain is not supported by the development server',
    );
  const pipeline = cmd.pipeline as unknown[];
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(
        Codes.Location40323,
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    const op = Object.keys(stage)[0] as string;
    if (UNSUPPORTED_STAGES.has(op))
      throw new CommandError(
        Codes.NotImplemented,
        `${op} is not supported by the development server`,
      );
  }
  const cursorOpt = cmd.cursor;
  if (!isPlainObject(cursorOpt)) {
    throw new CommandError(
      Codes.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  const batchSize = optionalInt(cursorOpt, 'batchSize', 'aggregate.cursor');
  const source = name ? (ctx.store.get(db, name)?.all() ?? []) : [];
  let docs: Doc[];
  try {
    const agg = new Aggregator(pipeline as Doc[], {
      collectionResolver: (other: string) => ctx.store.get(db, other)?.all() ?? [],
      // Stages such as $addFields may write into their input; stored documents must not change.
      processingMode: ProcessingMode.CLONE_INPUT,
      scriptEnabled: false,
    });
    docs = agg.run<Doc>(source);
  } catch (err) {
    throw fromMingo(err, 'aggregate');
  }
  const batch = ctx.cursors.first(name ? `${db}.${name}` : `${db}.$cmd.aggregate`, docs, batchSize);
  return cursorReply(batch.id, batch.ns, batch.docs, true);
}

export const readCommands: Record<string, Handler> = { find, getMore, count, distinct, aggregate };
