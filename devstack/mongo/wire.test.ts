import { Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { opMsg, opQuery } from '../../test/helpers/mongo-wire';
import { FrameReader, ProtocolError, parseFrame } from './wire.js';

describe('FrameReader', () => {
  it('reassembles frames split at any byte and splits coalesced frames', () => {
    const stream = Buffer.concat([
      opMsg({ ping: 1, $db: 'admin' }, { requestId: 1 }),
      opMsg({ ping: 1, $db: 'x' }, { requestId: 2 }),
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new FrameReader();
      const frames = [
        ...reader.push(stream.subarray(0, cut)),
        ...reader.push(stream.subarray(cut)),
      ];
      expect(frames.map((f) => f.readInt32LE(4))).toEqual([1, 2]);
    }
  });

  it.each([48_000_001, 3, -1, 0])('rejects a message length of %i', (length) => {
    const bad = Buffer.alloc(16);
    bad.writeInt32LE(length, 0);
    expect(() => new FrameReader().push(bad)).toThrow(ProtocolError);
  });
});

describe('parseFrame', () => {
  it('merges kind-1 sections into the body and strips a checksum', () => {
    const req = parseFrame(
      opMsg(
        { insert: 'c', $db: 'd' },
        { checksum: true, sequences: [['documents', [{ a: 1 }, { a: 2 }]]] },
      ),
    );
    expect(req.op).toBe('msg');
    expect(req.op === 'msg' && 'body' in req ? req.body.documents : undefined).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
  });

  it('keeps Int64 values as Long (promoteLongs: false)', () => {
    const req = parseFrame(opMsg({ getMore: Long.fromNumber(5), $db: 'd' }));
    expect(req.op === 'msg' && 'body' in req ? req.body.getMore : undefined).toBeInstanceOf(Long);
  });

  it('reads the moreToCome flag', () => {
    const req = parseFrame(opMsg({ endSessions: [], $db: 'admin' }, { flags: 2 }));
    expect(req.op === 'msg' && req.moreToCome).toBe(true);
  });

  it('parses a legacy OP_QUERY', () => {
    const req = parseFrame(opQuery('admin.$cmd', { isMaster: 1 }));
    expect(req).toMatchObject({ op: 'query', collection: 'admin.$cmd', query: { isMaster: 1 } });
  });

  /** A ping with one field of its frame overwritten. */
  const ping = (edit: (frame: Buffer) => unknown) => () => {
    const frame = opMsg({ ping: 1 });
    edit(frame);
    return frame;
  };

  it.each([
    ['unknown opcode', ping((f) => f.writeInt32LE(2012, 12))],
    ['unknown section kind', ping((f) => (f[20] = 7))],
    ['document overrunning the frame', ping((f) => f.writeInt32LE(10_000, 21))],
    ['required unknown flag bit', ping((f) => f.writeUInt32LE(1 << 5, 16))],
    ['no body section', () => opMsg({ ping: 1 }).subarray(0, 20)],
  ])('throws ProtocolError for %s', (_name, make) => {
    expect(() => parseFrame(make())).toThrow(ProtocolError);
  });
});
