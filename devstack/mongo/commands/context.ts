import { Long } from 'bson';
import { Aggregator, ProcessingMode } from 'mingo';
import { parseCollation } from '../collation.js';
import { Codes, CommandError, fromMingo, notSupported } from '../errors.js';
import type { Cursors } from '../cursors.js';
import type { Sessions } from '../sessions.js';
import type { RetryableWrite } from '../retryable-writes.js';
import type { FailPoints } from '../failpoints.js';
import type { ReplicaSetPrimary } from '../replica-set.js';
import { type Collection, type Store, validateCollectionName, viewNotWritable } from '../store.js';
import { type Doc, isPlainObject, valueKey } from '../values.js';

export interface Context {
  store: Store;
  cursors: Cursors;
  sessions: Sessions;
  failPoints: FailPoints;
  connectionId: number;
  /** Absent when the server presents itself as a standalone. */
  replicaSet?: ReplicaSetPrimary;
  /** Sees each command as received (tests observe what the driver sent). */
  onCommand?: (body: Doc) => void;
  /** Set while a command with a `txnNumber` runs. */
  retryableWrite?: RetryableWrite;
}

export type Handler = (cmd: Doc, db: string, ctx: Context) => Doc;

/**
 * Runs one write statement once per retryable write: a retry gets the recorded outcome. Outside
 * a retryable write it just runs.
 */
export function statementOnce(ctx: Context, stmtId: number, run: () => Doc): Doc {
  return ctx.retryableWrite ? ctx.retryableWrite.once(stmtId, run) : run();
}

export function collectionArg(cmd: Doc, name: string, db: string): string {
  return validateCollectionName(db, cmd[name]);
}

export function optionalDoc(cmd: Doc, field: string, command: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v))
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${command}.${field}' is the wrong type '${Array.isArray(v) ? 'array' : typeof v}', expected type 'object'`,
    );
  return v;
}

export function optionalInt(cmd: Doc, field: string, command: string, min = 0): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  const n = v instanceof Long ? v.toNumber() : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${command}.${field}' is the wrong type '${typeof v}', expected types '[long, int, decimal, double]'`,
    );
  }
  if (n < min)
    throw new CommandError(
      Codes.BadValue,
      `BSON field '${field}' value must be >= ${min}, actual value '${n}'`,
    );
  return Math.trunc(n);
}

export function optionalBool(cmd: Doc, field: string, fallback: boolean): boolean {
  const v = cmd[field];
  if (v === undefined || v === null) return fallback;
  return Boolean(v instanceof Long ? v.toNumber() : v);
}

export function docArray(cmd: Doc, field: string, command: string): Doc[] {
  const v = cmd[field];
  if (!Array.isArray(v))
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${command}.${field}' is missing or is not an array`,
    );
  for (const el of v) {
    if (!isPlainObject(el))
      throw new CommandError(
        Codes.TypeMismatch,
        `BSON field '${command}.${field}' must contain only objects`,
      );
  }
  return v as Doc[];
}

export function existing(ctx: Context, db: string, name: string): Collection {
  const coll = ctx.store.get(db, name);
  if (!coll) throw new CommandError(Codes.NamespaceNotFound, `ns does not exist: ${db}.${name}`);
  return coll;
}

export const cursorReply = (id: Long, ns: string, docs: Doc[], first: boolean): Doc => ({
  cursor: first ? { firstBatch: docs, id, ns } : { nextBatch: docs, id, ns },
  ok: 1,
});

/**
 * The command's `let`: each value is an expression, evaluated once before the command runs
 * (so `{when: '$$NOW'}` or `{n: {$add: [1, 2]}}` work as in mongod).
 */
export function letVariables(cmd: Doc, command: string): Doc | undefined {
  const spec = optionalDoc(cmd, 'let', command);
  if (!spec || Object.keys(spec).length === 0) return undefined;
  for (const name of Object.keys(spec)) {
    if (!/^[a-z\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/.test(name))
      throw new CommandError(
        Codes.FailedToParse,
        `'${name}' starts with an invalid character for a user variable name`,
      );
  }
  try {
    const [values] = new Aggregator([{ $replaceWith: spec }], { scriptEnabled: false }).run<Doc>([
      {},
    ]);
    return values;
  } catch (err) {
    throw fromMingo(err, 'aggregate');
  }
}

/**
 * A hint must name an existing index (mongod refuses anything else). Every query here is a scan,
 * which returns what any index would, except a sparse or partial index: such a hint is refused.
 */
export function checkHint(coll: Collection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null || !coll) return;
  if (isPlainObject(hint) && (Object.keys(hint).length === 0 || '$natural' in hint)) return;
  if (typeof hint !== 'string' && !isPlainObject(hint))
    throw new CommandError(Codes.FailedToParse, 'hint must be a string or an object');
  const spec = coll
    .indexSpecs()
    .find((s) => (typeof hint === 'string' ? s.name === hint : valueKey(s.key) === valueKey(hint)));
  if (!spec)
    throw new CommandError(
      Codes.BadValue,
      'planner returned error :: caused by :: hint provided does not correspond to an existing index',
    );
  if (spec.sparse || spec.partialFilterExpression)
    throw notSupported(`hint ${spec.name} (a sparse or partial index)`);
}

export const collationOf = (cmd: Doc): Intl.Collator | undefined => parseCollation(cmd.collation);

/** Commands that write or manage indexes name a collection; a view refuses them (166). */
export function writableCollectionArg(cmd: Doc, field: string, db: string, ctx: Context): string {
  const name = collectionArg(cmd, field, db);
  if (ctx.store.view(db, name)) throw viewNotWritable(db, name);
  return name;
}

/** Views over views are resolved up to this depth, like mongod. */
const MAX_VIEW_DEPTH = 20;

/**
 * What a read sees: a collection (its documents, with the primary key map for `_id` lookups) or
 * a view's documents, computed through its pipeline (and the pipelines of views it reads).
 */
export function readSource(
  ctx: Context,
  db: string,
  name: string,
  depth = 0,
): { coll?: Collection; docs: Doc[] } {
  const view = ctx.store.view(db, name);
  if (!view) {
    const coll = ctx.store.get(db, name);
    return { coll, docs: coll?.all() ?? [] };
  }
  if (depth >= MAX_VIEW_DEPTH)
    throw new CommandError(
      Codes.ViewDepthLimitExceeded,
      `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`,
    );
  const input = readSource(ctx, db, view.viewOn, depth + 1).docs;
  try {
    const docs = new Aggregator(view.pipeline, {
      collectionResolver: (other: string) => readSource(ctx, db, other, depth + 1).docs,
      processingMode: ProcessingMode.CLONE_INPUT,
      scriptEnabled: false,
    }).run<Doc>(input);
    return { docs };
  } catch (err) {
    throw fromMingo(err, 'aggregate');
  }
}

/**
 * The documents a read runs on. A view's hint or collation would apply to the collection
 * underneath, which this server does not do: both are refused on views.
 */
export function readTarget(
  cmd: Doc,
  db: string,
  name: string,
  ctx: Context,
): { source: Collection | Doc[] | undefined; collator?: Intl.Collator } {
  const { coll, docs } = readSource(ctx, db, name);
  if (!ctx.store.view(db, name)) {
    checkHint(coll, cmd.hint);
    return { source: coll, collator: collationOf(cmd) };
  }
  if (cmd.hint !== undefined && cmd.hint !== null) throw notSupported('hint on a view');
  if (cmd.collation !== undefined && cmd.collation !== null)
    throw notSupported('collation on a view');
  return { source: docs };
}
