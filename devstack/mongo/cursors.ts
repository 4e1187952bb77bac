import { randomInt } from 'node:crypto';
import { BSON, Long } from 'bson';
import { Codes, CommandError } from './errors.js';
import { MAX_BSON_OBJECT_SIZE } from './wire.js';
import type { Doc } from './values.js';

/** mongod's first batch holds 101 documents unless the client asks otherwise. */
export const DEFAULT_FIRST_BATCH = 101;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  id: Long;
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
}

export interface Batch {
  id: Long;
  ns: string;
  docs: Doc[];
}

/**
 * Results are materialised when the cursor opens (a snapshot); getMore only pages through them.
 * Stored documents are replaced, never mutated, so a snapshot stays consistent.
 */
export class Cursors {
  private readonly open = new Map<string, OpenCursor>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Returns the first batch; a cursor is kept only if documents remain. */
  first(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): Batch {
    const cursor: OpenCursor = { id: Long.ZERO, ns, docs, pos: 0, lastUsed: Date.now() };
    const batch = take(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    if (singleBatch || cursor.pos >= docs.length) return { id: Long.ZERO, ns, docs: batch };
    cursor.id = this.newId();
    this.open.set(cursor.id.toString(), cursor);
    return { id: cursor.id, ns, docs: batch };
  }

  more(id: Long, ns: string, batchSize: number | undefined): Batch {
    const cursor = this.open.get(id.toString());
    if (!cursor)
      throw new CommandError(Codes.CursorNotFound, `cursor id ${id.toString()} not found`);
    if (cursor.ns !== ns) {
      throw new CommandError(
        Codes.Unauthorized,
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`,
      );
    }
    cursor.lastUsed = Date.now();
    const batch = take(cursor, batchSize ?? Number.MAX_SAFE_INTEGER);
    if (cursor.pos >= cursor.docs.length) {
      this.open.delete(id.toString());
      return { id: Long.ZERO, ns, docs: batch };
    }
    return { id: cursor.id, ns, docs: batch };
  }

  kill(ids: Long[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) (this.open.delete(id.toString()) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.open.clear();
  }

  private newId(): Long {
    let id: Long;
    do {
      // Random positive 63-bit ids like mongod's: too big for a double, so drivers keep them Int64.
      id = Long.fromBits(randomInt(0, 2 ** 32) | 0, randomInt(2 ** 20, 2 ** 31));
    } while (this.open.has(id.toString()));
    return id;
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [key, cursor] of this.open) if (cursor.lastUsed < cutoff) this.open.delete(key);
  }
}

/** Fills a batch up to `count` documents and, like mongod, about 16 MiB of BSON. */
function take(cursor: OpenCursor, count: number): Doc[] {
  const out: Doc[] = [];
  let bytes = 0;
  while (out.length < count && cursor.pos < cursor.docs.length) {
    const doc = cursor.docs[cursor.pos] as Doc;
    const size = BSON.calculateObjectSize(doc);
    if (out.length > 0 && bytes + size > MAX_BSON_OBJECT_SIZE) break;
    out.push(doc);
    bytes += size;
    cursor.pos += 1;
  }
  return out;
}
