import { createHash } from 'node:crypto';
import { Binary } from 'bson';
import { type Doc, isPlainObject } from './values.js';

/** The uid of sessions without authentication: SHA-256 of the empty user name, as mongod. */
const NO_USER_UID = new Binary(createHash('sha256').update('').digest(), 0);

/** As advertised in hello's `logicalSessionTimeoutMinutes`. */
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Logical sessions this server has seen (for `$listLocalSessions`); ended ones are forgotten, and
 * so are sessions idle past the timeout, as mongod expires them.
 */
export class Sessions {
  private readonly seen = new Map<string, { id: Binary; lastUse: Date }>();

  touch(lsid: unknown): void {
    if (!isPlainObject(lsid) || !(lsid.id instanceof Binary)) return;
    const key = lsid.id.toString('hex');
    // Re-inserting keeps the map in last-use order, so expiry only looks at its head.
    this.seen.delete(key);
    this.seen.set(key, { id: lsid.id, lastUse: new Date() });
    this.expire();
  }

  private expire(): void {
    const cutoff = Date.now() - SESSION_TIMEOUT_MS;
    for (const [key, s] of this.seen) {
      if (s.lastUse.getTime() >= cutoff) break;
      this.seen.delete(key);
    }
  }

  end(lsids: unknown): void {
    if (!Array.isArray(lsids)) return;
    for (const lsid of lsids)
      if (isPlainObject(lsid) && lsid.id instanceof Binary)
        this.seen.delete(lsid.id.toString('hex'));
  }

  list(): Doc[] {
    this.expire();
    return [...this.seen.values()].map((s) => ({
      _id: { id: s.id, uid: NO_USER_UID },
      lastUse: s.lastUse,
    }));
  }
}
