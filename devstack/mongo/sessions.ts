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
  id: Binary;
  txnNumber: number;
  statements: Map<number, Doc>;
}

/**
 * The journal's copy of a retryable write's history (mongod's `config.transactions` entry):
 * the session, its txnNumber, when it was written and the outcomes of the statements it ran.
 * Records of one txnNumber add statements; a newer txnNumber replaces them.
 */
export interface HistoryRecord {
  o: 'rw';
  id: Binary;
  t: number;
  at: Date;
  s: Array<{ i: number; r: Doc }>;
}

interface Session {
  id: Binary;
  lastUse: Date;
  history?: WriteHistory;
  /** Only known from the journal: not listed until a client uses it again. */
  restored?: boolean;
}

const keyOf = (lsid: unknown): string | undefined =>
  isPlainObject(lsid) && lsid.id instanceof Binary ? lsid.id.toString('hex') : undefined;

/**
 * Logical sessions this server has seen (for `$listLocalSessions`) and the history of their
 * latest retryable write; ended ones are forgotten, and so are sessions idle past the timeout,
 * as mongod expires them. The history is journaled with the data it wrote and restored on start
 * (mongod keeps it in `config.transactions`), so a retry that reaches a restarted server is
 * answered from it. Only the latest txnNumber of each session is kept, in memory and in a
 * compacted journal.
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

  /** Replay: a journaled history, in journal (so last-use) order; expiry applies as usual. */
  restore(record: HistoryRecord): void {
    const key = record.id.toString('hex');
    const session = this.seen.get(key);
    let history = session?.history;
    if (history && record.t < history.txnNumber) return;
    if (!history || record.t > history.txnNumber)
      history = { id: record.id, txnNumber: record.t, statements: new Map() };
    for (const { i, r } of record.s) history.statements.set(i, r);
    this.seen.delete(key);
    this.seen.set(key, { id: record.id, lastUse: record.at, history, restored: true });
  }

  /** The live histories as journal records, oldest use first (for compaction). */
  *snapshot(): Generator<HistoryRecord> {
    this.expire();
    for (const { history, lastUse } of this.seen.values()) {
      if (!history) continue;
      const s = [...history.statements].map(([i, r]) => ({ i, r }));
      yield { o: 'rw', id: history.id, t: history.txnNumber, at: lastUse, s };
    }
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
      session.history = { id: session.id, txnNumber, statements: new Map() };
    return new RetryableWrite(session.history as WriteHistory);
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
    return [...this.seen.values()]
      .filter((s) => !s.restored)
      .map((s) => ({
        _id: { id: s.id, uid: NO_USER_UID },
        lastUse: s.lastUse,
      }));
  }
}
