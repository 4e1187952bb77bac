import {
  checkReadConcern,
  parseWriteConcern,
  waitsForJournal,
  writeConcernError,
} from '../concerns.js';
import { Codes, CommandError } from '../errors.js';
import { type RetryableWrite, beginRetryableWrite, labelRetryable } from '../retryable-writes.js';
import { type Doc, normalize } from '../values.js';
import { adminCommands } from './admin.js';
import type { Context, Handler } from './context.js';
import { findAndModifyCommands } from './find-and-modify.js';
import { handshakeCommands } from './handshake.js';
import { readCommands } from './read.js';
import { writeCommands } from './write.js';

export type { Context } from './context.js';

const handlers = new Map<string, Handler>(
  Object.entries({
    ...handshakeCommands,
    ...adminCommands,
    ...readCommands,
    ...writeCommands,
    ...findAndModifyCommands,
  }),
);

export const supportedCommands = (): string[] => [...handlers.keys()].sort();

/** Cursor ids must stay Int64; everywhere else Int64 is normalised for mingo. */
const KEEP_LONGS = new Set(['getMore', 'killCursors']);

/**
 * Runs one command and always returns a reply document (errors become `{ok: 0, ...}`).
 * Store changes are committed (journaled) before the reply is returned, even after a partial
 * failure, with the retry history of a retryable write; fsynced first under `j` or `majority`.
 */
export function runCommand(body: Doc, ctx: Context): Doc {
  const name = Object.keys(body)[0];
  let retryableWrite: RetryableWrite | undefined;
  let durable = false;
  try {
    if (name === undefined) throw new CommandError(Codes.FailedToParse, 'Empty command');
    const handler = handlers.get(name);
    if (!handler) throw new CommandError(Codes.CommandNotFound, `no such command: '${name}'`);
    const db = body.$db;
    if (typeof db !== 'string')
      throw new CommandError(Codes.Location40571, 'OP_MSG requests require a $db argument');
    if (body.autocommit === false || body.startTransaction === true) {
      throw new CommandError(
        Codes.IllegalOperation,
        'transactions are not supported by the development server',
      );
    }
    ctx.sessions.touch(body.lsid);
    const w = parseWriteConcern(body, ctx.replicaSet);
    durable = waitsForJournal(body);
    checkReadConcern(body);
    retryableWrite = beginRetryableWrite(name, body, ctx.sessions, ctx.replicaSet);
    const cmd = KEEP_LONGS.has(name) ? body : (normalize(body) as Doc);
    const reply = handler(cmd, db, retryableWrite ? { ...ctx, retryableWrite } : ctx);
    const wce =
      reply.ok === 1
        ? (ctx.failPoints.writeConcernError(name) ?? writeConcernError(w, cmd.writeConcern as Doc))
        : undefined;
    // Copies: a retried findAndModify returns the very document its history holds.
    const out: Doc = { ...reply };
    if (wce) out.writeConcernError = wce;
    if (retryableWrite?.retried.length) out.retriedStmtIds = retryableWrite.retried;
    return retryableWrite ? labelRetryable(out) : out;
  } catch (err) {
    if (err instanceof CommandError) return err.toReply();
    if (err instanceof RangeError) return new CommandError(Codes.BadValue, err.message).toReply();
    const message = err instanceof Error ? err.message : String(err);
    return new CommandError(
      Codes.InternalError,
      `internal error in the development server: ${message}`,
    ).toReply();
  } finally {
    ctx.store.commit(retryableWrite?.record(), durable);
  }
}
