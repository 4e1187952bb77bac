import { createHash } from 'node:crypto';
import { Binary } from 'bson';
import { Codes, CommandError } from './errors.js';
import { RetryableWrite } from './retryable-writes.js';
import { type Doc, isPlainObject } from './values.js';

/** The uid of sessions without authentication: SHA-256 of the empty user name, as mongod. */
const NO_USER_UID = new Binary(createHash('sha256').update('').digest(), 0);

/** As advertised in hello's `logicalSessionTimeoutMinutes`. */
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

/** What the statements of a session's latest retryable write did, by statement id. */
interface WriteHistory {
  txnNumber: number;
  statements: Map<number, Doc>;
}

interface Session {
  id: Binary;
  lastUse: Date;
  history?: WriteHistory;
}

const keyOf = (lsid: unknown): string | undefined =>
  isPlainObject(lsid) && lsid.id instanceof Binary ? lsid.id.toString('hex') : undefined;

/**
 * Logical sessions this server has seen (for `$listLocalSessions`) and the history of their
 * latest retryable write; ended ones are forgotten, and so are sessions idle past the timeout,
 * as mongod expires them. The history lives in memory only: a retry that reaches a restarted
 * server is applied again (mongod keeps it in `config.transactions`).
 */
export class Sessions {
  private readonly seen = new Map<string, Session>();

  touch(lsid: unknown): void {
    const key = keyOf(lsid);
    if (!key) return;
    const session = this.seen.get(key);
    // Re-inserting keeps the map in last-use order, so expiry only looks at its head.
    this.seen.delete(key);
    this.seen.set(key, {
      id: (lsid as { id: Binary }).id,
      lastUse: new Date(),
      history: session?.history,
    });
    this.expire();
  }

  private expire(): void {
    const cutoff = Date.now() - SESSION_TIMEOUT_MS;
    for (const [key, s] of this.seen) {
      if (s.lastUse.getTime() >= cutoff) break;
      this.seen.delete(key);
    }
  }

  /**
   * Starts (or resumes, for a retry) the retryable write `txnNumber` of a session already
   * touched. A newer number replaces the history; an older one is refused, as mongod does.
   */
  retryableWrite(lsid: unknown, txnNumber: number): RetryableWrite {
    const session = this.seen.get(keyOf(lsid) ?? '');
    if (!session)
      throw new CommandError(
        Codes.InvalidOptions,
        'Transaction number requires a session ID to also be specified',
      );
    const current = session.history;
    if (current && txnNumber < current.txnNumber)
      throw new CommandError(
        Codes.TransactionTooOld,
        `Retryable write with txnNumber ${txnNumber} is prohibited on session ${session.id.toString('hex')} because a newer retryable write with txnNumber ${current.txnNumber} has already started on this session.`,
      );
    if (!current || txnNumber > current.txnNumber)
      session.history = { txnNumber, statements: new Map() };
    return new RetryableWrite((session.history as WriteHistory).statements);
  }

  end(lsids: unknown): void {
    if (!Array.isArray(lsids)) return;
    for (const lsid of lsids) {
      const key = keyOf(lsid);
      if (key) this.seen.delete(key);
    }
  }

  list(): Doc[] {
    this.expire();
    return [...this.seen.values()].map((s) => ({
      _id: { id: s.id, uid: NO_USER_UID },
      lastUse: s.lastUse,
    }));
  }
}
