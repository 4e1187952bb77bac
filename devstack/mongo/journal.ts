import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { BSON } from 'bson';
import type { Change } from './store.js';
import { normalize } from './values.js';

/**
 * Append-only journal: each record is [u32 length][u32 crc32][BSON change].
 * A crash can only tear the last record; replay stops at the first record that does not check
 * out and truncates the file there, so everything acknowledged before it survives.
 */
const RECORD_HEADER = 8;
const FILE_NAME = 'journal.bin';

export interface ReplayResult {
  changes: number;
  /** bytes dropped from the end of the file because they did not form a whole, valid record */
  discardedBytes: number;
}

function encode(change: Change): Buffer {
  const payload = BSON.serialize(change);
  const header = Buffer.allocUnsafe(RECORD_HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

export class Journal {
  private fd: number;
  readonly file: string;

  private constructor(file: string) {
    this.file = file;
    this.fd = fs.openSync(file, 'a');
  }

  /** Reads every intact record, hands it to `apply`, and cuts off a torn tail. */
  static open(
    dir: string,
    apply: (change: Change) => void,
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
    while (offset + RECORD_HEADER <= data.length) {
      const length = data.readUInt32LE(offset);
      const end = offset + RECORD_HEADER + length;
      if (length < 5 || end > data.length) break;
      const payload = data.subarray(offset + RECORD_HEADER, end);
      if (crc32(payload) !== data.readUInt32LE(offset + 4)) break;
      let change: Change;
      try {
        change = normalize(BSON.deserialize(payload, { promoteLongs: false })) as Change;
      } catch {
        break;
      }
      apply(change);
      changes += 1;
      offset = end;
    }
    const discardedBytes = data.length - offset;
    if (discardedBytes > 0) fs.truncateSync(file, offset);
    return { journal: new Journal(file), replay: { changes, discardedBytes } };
  }

  append(changes: Change[]): void {
    const buf =
      changes.length === 1 ? encode(changes[0] as Change) : Buffer.concat(changes.map(encode));
    let written = 0;
    while (written < buf.length) written += fs.writeSync(this.fd, buf, written);
  }

  /** Replaces the journal with the given changes (a snapshot), atomically via rename. */
  rewrite(changes: Iterable<Change>): void {
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
    this.fd = fs.openSync(this.file, 'a');
  }

  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}
