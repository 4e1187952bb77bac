import type { Binary } from 'bson';
import { Codes, CommandError } from './errors.js';
import type { HistoryRecord, Sessions } from './sessions.js';
import type { ReplicaSetPrimary } from './replica-set.js';
import { type Doc, isPlainObject, toInt } from './values.js';

/** Commands mongod accepts a `txnNumber` on outside a transaction. */
const RETRYABLE_COMMANDS = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
]);

/** Errors after which a driver may retry a write (mongod's `isRetriableError`). */
const RETRYABLE_CODES = new Set([
  6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
]);

/**
 * One retryable write command (a `txnNumber` on a session): a statement that already ran under
 * this number is not applied again, its recorded outcome is returned instead, as mongod does
 * from its transaction table. Failed statements are not recorded, so a retry runs them again.
 * What this command recorded goes to the journal with the changes it made (`record()`), so a
 * restarted server answers the retry the same way.
 */
export class RetryableWrite {
  /** Statement ids answered from the history, for the reply's `retriedStmtIds`. */
  readonly retried: number[] = [];
  private readonly fresh: Array<{ i: number; r: Doc }> = [];

  constructor(
    private readonly history: { id: Binary; txnNumber: number; statements: Map<number, Doc> },
  ) {}

  once(stmtId: number, run: () => Doc): Doc {
    const recorded = this.history.statements.get(stmtId);
    if (recorded) {
      this.retried.push(stmtId);
      return recorded;
    }
    const outcome = run();
    this.history.statements.set(stmtId, outcome);
    this.fresh.push({ i: stmtId, r: outcome });
    return outcome;
  }

  /** The journal record of the statements this command ran, if it ran any. */
  record(): HistoryRecord | undefined {
    if (this.fresh.length === 0) return undefined;
    const { id, txnNumber } = this.history;
    return { o: 'rw', id, t: txnNumber, at: new Date(), s: this.fresh };
  }
}

/** The retryable write a command starts or retries, if it carries a `txnNumber`. */
export function beginRetryableWrite(
  name: string,
  body: Doc,
  sessions: Sessions,
  replicaSet: ReplicaSetPrimary | undefined,
): RetryableWrite | undefined {
  if (body.txnNumber === undefined) return undefined;
  if (!replicaSet)
    throw new CommandError(
      Codes.IllegalOperation,
      'Transaction numbers are only allowed on a replica set member or mongos',
    );
  if (!RETRYABLE_COMMANDS.has(name))
    throw new CommandError(
      Codes.Location50768,
      `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${name} is not a retryable write command.`,
    );
  return sessions.retryableWrite(body.lsid, toInt(body.txnNumber, -1));
}

/**
 * mongod labels an error of a retryable write that the driver may retry (a network-like code
 * at the top level or in the write concern error); the driver relies on the label, not the code.
 */
export function labelRetryable(reply: Doc): Doc {
  if (reply.errorLabels !== undefined) return reply;
  const wce = isPlainObject(reply.writeConcernError) ? reply.writeConcernError : undefined;
  const code = reply.ok === 1 ? wce?.code : reply.code;
  return typeof code === 'number' && RETRYABLE_CODES.has(code)
    ? { ...reply, errorLabels: ['RetryableWriteError'] }
    : reply;
}
