import { BSON } from 'bson';
import { Codes, CommandError } from './errors.js';
import type { Doc } from './values.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;
/** mongod accepts command documents this much larger than a user document (room for the envelope). */
const MAX_INTERNAL_OBJECT_SIZE = MAX_BSON_OBJECT_SIZE + 16 * 1024;
const HEADER_SIZE = 16;

const FLAG_CHECKSUM_PRESENT = 1 << 0;
export const FLAG_MORE_TO_COME = 1 << 1;
const FLAG_EXHAUST_ALLOWED = 1 << 16;
const KNOWN_FLAGS = FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME | FLAG_EXHAUST_ALLOWED;

/** The peer broke the protocol; the only safe reaction is closing its connection. */
export class ProtocolError extends Error {}

export type Request =
  | { op: 'msg'; requestId: number; moreToCome: boolean; exhaustAllowed: boolean; body: Doc }
  | { op: 'msg'; requestId: number; moreToCome: boolean; error: CommandError }
  | { op: 'query'; requestId: number; collection: string; query: Doc };

const BSON_OPTIONS = { promoteLongs: false, promoteValues: true } as const;

/** Splits a byte stream into whole messages without copying more than needed. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE + 1 || length > MAX_MESSAGE_SIZE) {
        throw new ProtocolError(`invalid message length ${length}`);
      }
      if (this.buffered < length) break;
      frames.push(this.take(length));
    }
    return frames;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] as Buffer;
  }

  private take(n: number): Buffer {
    const all = this.peek(n);
    const frame = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks.shift();
    if (rest.length > 0) this.chunks.unshift(rest);
    this.buffered -= n;
    return frame;
  }
}

function readDoc(buf: Buffer, offset: number, end: number): { doc: Doc; size: number } {
  if (offset + 5 > end) throw new ProtocolError('truncated document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('document overruns its section');
  if (size > MAX_INTERNAL_OBJECT_SIZE) {
    throw new CommandError(
      Codes.BSONObjectTooLarge,
      `BSONObj size: ${size} (0x${size.toString(16)}) is invalid. Size must be between 0 and 16793600(16MB)`,
    );
  }
  try {
    return { doc: BSON.deserialize(buf.subarray(offset, offset + size), BSON_OPTIONS), size };
  } catch (err) {
    throw new ProtocolError(`invalid BSON: ${(err as Error).message}`);
  }
}

function readCString(buf: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new ProtocolError('unterminated cstring');
  return { value: buf.toString('utf8', offset, zero), next: zero + 1 };
}

export function parseFrame(frame: Buffer): Request {
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_MSG) return parseMsg(frame, requestId);
  if (opCode === OP_QUERY) return parseQuery(frame, requestId);
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

function parseMsg(frame: Buffer, requestId: number): Request {
  if (frame.length < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short');
  const flags = frame.readUInt32LE(HEADER_SIZE);
  if ((flags & ~KNOWN_FLAGS & 0xffff) !== 0)
    throw new ProtocolError(`unknown required OP_MSG flags ${flags}`);
  const moreToCome = (flags & FLAG_MORE_TO_COME) !== 0;
  // The checksum is optional to verify; mongod skips it too when not asked to.
  const end = flags & FLAG_CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
  let offset = HEADER_SIZE + 4;
  let body: Doc | undefined;
  const sequences: Array<[string, Doc[]]> = [];
  try {
    while (offset < end) {
      const kind = frame[offset];
      offset += 1;
      if (kind === 0) {
        if (body) throw new ProtocolError('OP_MSG with two body sections');
        const { doc, size } = readDoc(frame, offset, end);
        body = doc;
        offset += size;
      } else if (kind === 1) {
        if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
        const size = frame.readInt32LE(offset);
        const seqEnd = offset + size;
        if (size < 5 || seqEnd > end)
          throw new ProtocolError('document sequence overruns the message');
        const id = readCString(frame, offset + 4, seqEnd);
        let pos = id.next;
        const docs: Doc[] = [];
        while (pos < seqEnd) {
          const { doc, size: docSize } = readDoc(frame, pos, seqEnd);
          docs.push(doc);
          pos += docSize;
        }
        sequences.push([id.value, docs]);
        offset = seqEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
      }
    }
  } catch (err) {
    if (err instanceof CommandError) return { op: 'msg', requestId, moreToCome, error: err };
    throw err;
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [id, docs] of sequences) {
    if (id in body) {
      return {
        op: 'msg',
        requestId,
        moreToCome,
        error: new CommandError(Codes.BadValue, `Duplicate field ${id} in OP_MSG`),
      };
    }
    body[id] = docs;
  }
  const exhaustAllowed = (flags & FLAG_EXHAUST_ALLOWED) !== 0;
  return { op: 'msg', requestId, moreToCome, exhaustAllowed, body };
}

function parseQuery(frame: Buffer, requestId: number): Request {
  if (frame.length < HEADER_SIZE + 4 + 1 + 8 + 5) throw new ProtocolError('OP_QUERY too short');
  const name = readCString(frame, HEADER_SIZE + 4, frame.length);
  const offset = name.next + 8; // numberToSkip, numberToReturn: meaningless for commands
  try {
    const { doc } = readDoc(frame, offset, frame.length);
    return { op: 'query', requestId, collection: name.value, query: doc };
  } catch (err) {
    if (err instanceof CommandError) throw new ProtocolError(err.message);
    throw err;
  }
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function encodeMsg(doc: Doc, requestId: number, responseTo: number, flags = 0): Buffer {
  const body = BSON.serialize(doc);
  const prefix = Buffer.alloc(5); // flagBits, section kind 0
  prefix.writeUInt32LE(flags, 0);
  return Buffer.concat([
    header(HEADER_SIZE + 5 + body.length, requestId, responseTo, OP_MSG),
    prefix,
    body,
  ]);
}

export function encodeReply(doc: Doc, requestId: number, responseTo: number): Buffer {
  const body = BSON.serialize(doc);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (int64), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([
    header(HEADER_SIZE + 20 + body.length, requestId, responseTo, OP_REPLY),
    fields,
    body,
  ]);
}
