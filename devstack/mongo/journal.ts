import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { BSON } from 'bson';
import type { HistoryRecord } from './sessions.js';
import type { Change } from './store.js';
import { normalize } from './values.js';

/**
 * Append-only journal: each record is [u32 length][u32 crc32][BSON entry].
 * A crash can only tear the last records; replay stops at the first record that does not check
 * out and truncates the file there, so everything acknowledged before it survives. A record with
 * `g: n` leads a group with the n records after it (a retryable write's history and the changes
 * it made): replay applies the whole group or, when its tail is torn, none of it.
 */
const RECORD_HEADER = 8;
const FILE_NAME = 'journal.bin';

/** A store change, or the retry history a retryable write recorded (group leader). */
export type Entry = Change | (HistoryRecord & { g?: number });

export interface ReplayResult {
  changes: number;
  /** bytes dropped from the end of the file because they did not form a whole, valid record */
  discardedBytes: number;
}

function encode(entry: Entry): Buffer {
  const payload = BSON.serialize(entry);
  const header = Buffer.allocUnsafe(RECORD_HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** The intact record at `offset` and where it ends, or undefined at a torn or corrupt one. */
function readRecord(data: Buffer, offset: number): { entry: Entry; end: number } | undefined {
  if (offset + RECORD_HEADER > data.length) return undefined;
  const length = data.readUInt32LE(offset);
  const end = offset + RECORD_HEADER + length;
  if (length < 5 || end > data.length) return undefined;
  const payload = data.subarray(offset + RECORD_HEADER, end);
  if (crc32(payload) !== data.readUInt32LE(offset + 4)) return undefined;
  try {
    return { entry: normalize(BSON.deserialize(payload, { promoteLongs: false })) as Entry, end };
  } catch {
    return undefined;
  }
}

/** The file's directory entry (its creation, a compaction's rename) must reach the disk too. */
function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export class Journal {
  private fd: number;
  readonly file: string;
  /** Appended since the last fsync. */
  private dirty = false;

  private constructor(file: string) {
    this.file = file;
    this.fd = fs.openSync(file, 'a');
    syncDir(path.dirname(file));
  }

  /** Reads every intact record (group), hands it to `apply`, and cuts off a torn tail. */
  static open(
    dir: string,
    apply: (entry: Entry) => void,
  ): { journal: Journal; replay: ReplayResult } {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, FILE_NAME);
    let data: Buffer = Buffer.alloc(0);
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let offset = 0;
    let changes = 0;
    for (;;) {
      const lead = readRecord(data, offset);
      if (!lead) break;
      const group = [lead.entry];
      let end = lead.end;
      const size = 'g' in lead.entry && typeof lead.entry.g === 'number' ? lead.entry.g : 0;
      while (group.length <= size) {
        const next = readRecord(data, end);
        if (!next) break;
        group.push(next.entry);
        end = next.end;
      }
      if (group.length <= size) break;
      for (const entry of group) apply(entry);
      changes += group.length;
      offset = end;
    }
    const discardedBytes = data.length - offset;
    if (discardedBytes > 0) fs.truncateSync(file, offset);
    return { journal: new Journal(file), replay: { changes, discardedBytes } };
  }

  /**
   * Hands the records to the OS in one write: a process crash loses none of them, an OS crash
   * may lose what was not yet synced (see `sync`).
   */
  append(entries: Entry[]): void {
    const buf =
      entries.length === 1 ? encode(entries[0] as Entry) : Buffer.concat(entries.map(encode));
    let written = 0;
    while (written < buf.length) written += fs.writeSync(this.fd, buf, written);
    this.dirty = true;
  }

  /** Makes everything appended so far durable (what `j: true` and `w: 'majority'` wait for). */
  sync(): void {
    if (!this.dirty) return;
    fs.fdatasyncSync(this.fd);
    this.dirty = false;
  }

  /** Replaces the journal with the given entries (a snapshot), atomically via rename. */
  rewrite(changes: Iterable<Entry>): void {
    const tmp = `${this.file}.compact`;
    const fd = fs.openSync(tmp, 'w');
    try {
      let batch: Buffer[] = [];
      let size = 0;
      for (const change of changes) {
        const rec = encode(change);
        batch.push(rec);
        size += rec.length;
        if (size > 4 * 1024 * 1024) {
          fs.writeSync(fd, Buffer.concat(batch));
          batch = [];
          size = 0;
        }
      }
      if (batch.length) fs.writeSync(fd, Buffer.concat(batch));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.closeSync(this.fd);
    fs.renameSync(tmp, this.file);
    syncDir(path.dirname(this.file));
    this.fd = fs.openSync(this.file, 'a');
    this.dirty = false;
  }

  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}
