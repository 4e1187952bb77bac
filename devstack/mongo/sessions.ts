import { createHash } from 'node:crypto';
import { Binary } from 'bson';
import { type Doc, isPlainObject } from './values.js';

/** The uid of sessions without authentication: SHA-256 of the empty user name, as mongod. */
const NO_USER_UID = new Binary(createHash('sha256').update('').digest(), 0);

/** Logical sessions this server has seen (for `$listLocalSessions`); ended ones are forgotten. */
export class Sessions {
  private readonly seen = new Map<string, { id: Binary; lastUse: Date }>();

  touch(lsid: unknown): void {
    if (!isPlainObject(lsid) || !(lsid.id instanceof Binary)) return;
    this.seen.set(lsid.id.toString('hex'), { id: lsid.id, lastUse: new Date() });
  }

  end(lsids: unknown): void {
    if (!Array.isArray(lsids)) return;
    for (const lsid of lsids)
      if (isPlainObject(lsid) && lsid.id instanceof Binary)
        this.seen.delete(lsid.id.toString('hex'));
  }

  list(): Doc[] {
    return [...this.seen.values()].map((s) => ({
      _id: { id: s.id, uid: NO_USER_UID },
      lastUse: s.lastUse,
    }));
  }
}
