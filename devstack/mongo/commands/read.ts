import { Long } from 'bson';
import { compare } from 'mingo/util';
import { Codes, CommandError, notSupported } from '../errors.js';
import { select } from '../query.js';
import { type Doc, pathValues, valueKey } from '../values.js';
import { aggregate } from './aggregate.js';
import {
  type Context,
  type Handler,
  collectionArg,
  cursorReply,
  letVariables,
  optionalBool,
  readTarget,
  optionalDoc,
  optionalInt,
} from './context.js';

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
  // These change which documents or fields come back; ignoring them would answer wrongly.
  for (const option of ['min', 'max', 'returnKey', 'showRecordId'])
    if (cmd[option] !== undefined && cmd[option] !== false)
      throw notSupported(`find option ${option}`);
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
  const { source, collator } = readTarget(cmd, db, name, ctx);
  const docs = select(source, {
    filter: optionalDoc(cmd, 'filter', 'find') ?? {},
    sort: optionalDoc(cmd, 'sort', 'find'),
    projection: optionalDoc(cmd, 'projection', 'find'),
    skip: optionalInt(cmd, 'skip', 'find'),
    limit: limit || undefined,
    variables: letVariables(cmd, 'find'),
    collation: collator,
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
  const { source, collator } = readTarget(cmd, db, name, ctx);
  const docs = select(source, {
    filter: optionalDoc(cmd, 'query', 'count') ?? {},
    skip: optionalInt(cmd, 'skip', 'count'),
    limit: Math.abs(optionalInt(cmd, 'limit', 'count', -Infinity) ?? 0) || undefined,
    collation: collator,
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
  const { source, collator } = readTarget(cmd, db, name, ctx);
  const docs = select(source, {
    filter: optionalDoc(cmd, 'query', 'distinct') ?? {},
    collation: collator,
  });
  const seen = new Map<string, unknown>();
  const strings: string[] = [];
  for (const doc of docs) {
    for (const v of pathValues(doc, key)) {
      for (const el of Array.isArray(v) ? v : [v]) {
        if (el === undefined) continue;
        // Under a collation, strings it finds equal are one value: the first one seen.
        if (collator && typeof el === 'string') {
          if (!strings.some((s) => collator.compare(s, el) === 0)) strings.push(el);
        } else {
          seen.set(valueKey(el), el);
        }
      }
    }
  }
  // BSON order across types; strings in collation order when there is one.
  const order = (a: unknown, b: unknown): number =>
    collator && typeof a === 'string' && typeof b === 'string'
      ? collator.compare(a, b)
      : compare(a, b);
  return {
    values: [...seen.values(), ...strings].sort(order),
    ok: 1,
  };
}

export const readCommands: Record<string, Handler> = { find, getMore, count, distinct, aggregate };
