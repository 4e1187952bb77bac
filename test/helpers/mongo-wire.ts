import net from 'node:net';
import { BSON } from 'bson';
import { OP_MSG, OP_QUERY } from '../../devstack/mongo/wire';

/** Raw-socket helpers for tests that must speak the protocol below the driver. */

export function opMsg(
  doc: Record<string, unknown>,
  opts: {
    requestId?: number;
    flags?: number;
    checksum?: boolean;
    sequences?: Array<[string, Record<string, unknown>[]]>;
  } = {},
): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(BSON.serialize(doc))];
  for (const [id, docs] of opts.sequences ?? []) {
    const payload = Buffer.concat([
      Buffer.from(`${id}\0`),
      ...docs.map((d) => Buffer.from(BSON.serialize(d))),
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  const flags = (opts.flags ?? 0) | (opts.checksum ? 1 : 0);
  const flagBuf = Buffer.alloc(4);
  flagBuf.writeUInt32LE(flags >>> 0);
  const body = Buffer.concat([
    flagBuf,
    ...parts,
    opts.checksum ? Buffer.alloc(4) : Buffer.alloc(0),
  ]);
  return withHeader(body, opts.requestId ?? 1, OP_MSG);
}

export function opQuery(collection: string, doc: Record<string, unknown>, requestId = 1): Buffer {
  const fixed = Buffer.alloc(4);
  const counts = Buffer.alloc(8);
  counts.writeInt32LE(-1, 4);
  return withHeader(
    Buffer.concat([
      fixed,
      Buffer.from(`${collection}\0`),
      counts,
      Buffer.from(BSON.serialize(doc)),
    ]),
    requestId,
    OP_QUERY,
  );
}

export function withHeader(body: Buffer, requestId: number, opCode: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(body.length + 16, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, body]);
}

export interface Reply {
  requestId: number;
  responseTo: number;
  opCode: number;
  /** OP_MSG flagBits (moreToCome is 2); 0 for OP_REPLY. */
  flags: number;
  doc: Record<string, unknown>;
}

export function parseReply(frame: Buffer): Reply {
  const opCode = frame.readInt32LE(12);
  const docStart = opCode === OP_MSG ? 21 : 36;
  return {
    requestId: frame.readInt32LE(4),
    responseTo: frame.readInt32LE(8),
    opCode,
    flags: opCode === OP_MSG ? frame.readUInt32LE(16) : 0,
    doc: BSON.deserialize(frame.subarray(docStart)),
  };
}

/** A connection that collects whole reply frames and notices when the server closes it. */
export class RawClient {
  readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiters: Array<(r: Reply) => void> = [];
  private replies: Reply[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const len = this.buffer.readInt32LE(0);
        const reply = parseReply(this.buffer.subarray(0, len));
        this.buffer = this.buffer.subarray(len);
        const waiter = this.waiters.shift();
        if (waiter) waiter(reply);
        else this.replies.push(reply);
      }
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  next(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get pendingReplies(): number {
    return this.replies.length;
  }

  close(): Promise<void> {
    this.socket.end();
    return this.closed;
  }
}
