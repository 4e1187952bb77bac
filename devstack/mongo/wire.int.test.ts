import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, start } from './server.js';
import { RawClient, opMsg, opQuery, withHeader } from '../../test/helpers/mongo-wire';

let server: RunningServer;

beforeAll(async () => {
  server = await start({ port: 0 });
});
afterAll(async () => {
  await server.stop();
});

describe('protocol over a raw socket', () => {
  it('answers OP_QUERY isMaster on admin.$cmd with OP_REPLY', async () => {
    const c = await RawClient.connect(server.port);
    c.send(opQuery('admin.$cmd', { isMaster: 1, helloOk: true }, 77));
    const reply = await c.next();
    expect(reply.opCode).toBe(1);
    expect(reply.responseTo).toBe(77);
    expect(reply.doc).toMatchObject({
      ok: 1,
      ismaster: true,
      maxWireVersion: 21,
      minWireVersion: 0,
      helloOk: true,
    });
    expect(reply.doc).toMatchObject({ setName: 'devstack', secondary: false });
    expect(reply.doc).not.toHaveProperty('compression');
    await c.close();
  });

  it('answers as a standalone, without set identity or topologyVersion, when asked to', async () => {
    const standalone = await start({ port: 0, replicaSet: false });
    const c = await RawClient.connect(standalone.port);
    try {
      c.send(opQuery('admin.$cmd', { isMaster: 1 }, 1));
      const { doc } = await c.next();
      expect(doc).toMatchObject({ ok: 1, ismaster: true });
      for (const field of ['setName', 'hosts', 'primary', 'topologyVersion', 'electionId'])
        expect(doc).not.toHaveProperty(field);
      expect(standalone.uri).toMatch(/\?directConnection=true$/);
    } finally {
      await c.close();
      await standalone.stop();
    }
  });

  it('handles kind-1 sections and the checksum flag, and stays silent on moreToCome', async () => {
    const c = await RawClient.connect(server.port);
    c.send(
      opMsg(
        { insert: 'seq', $db: 'wire' },
        { requestId: 5, checksum: true, sequences: [['documents', [{ _id: 1 }, { _id: 2 }]]] },
      ),
    );
    const inserted = await c.next();
    expect(inserted.responseTo).toBe(5);
    expect(inserted.doc).toMatchObject({ ok: 1, n: 2 });
    c.send(
      opMsg({ insert: 'seq', documents: [{ _id: 3 }], $db: 'wire' }, { requestId: 6, flags: 2 }),
    );
    c.send(opMsg({ count: 'seq', $db: 'wire' }, { requestId: 7 }));
    const counted = await c.next();
    // The moreToCome insert produced no reply: the next reply answers request 7 and sees its write.
    expect(counted.responseTo).toBe(7);
    expect(counted.doc).toMatchObject({ ok: 1, n: 3 });
    await c.close();
  });

  it('answers a command body over 16 MiB + 16 KiB with BSONObjectTooLarge (10334)', async () => {
    const c = await RawClient.connect(server.port);
    c.send(
      opMsg(
        {
          insert: 'big',
          documents: [{ s: 'x'.repeat(16 * 1024 * 1024 + 20 * 1024) }],
          $db: 'wire',
        },
        { requestId: 9 },
      ),
    );
    const reply = await c.next();
    expect(reply.doc).toMatchObject({ ok: 0, code: 10334, codeName: 'BSONObjectTooLarge' });
    await c.close();
  });

  it('closes the connection on a message longer than 48 MB without waiting for the body', async () => {
    const c = await RawClient.connect(server.port);
    const header = Buffer.alloc(16);
    header.writeInt32LE(48_000_001, 0);
    header.writeInt32LE(2013, 12);
    c.send(header);
    await c.closed;
    expect(c.socket.destroyed).toBe(true);
  });

  it('serves many concurrent connections', async () => {
    const clients = await Promise.all(
      Array.from({ length: 200 }, () => RawClient.connect(server.port)),
    );
    clients.forEach((c, i) => c.send(opMsg({ ping: 1, $db: 'admin' }, { requestId: i + 1 })));
    const replies = await Promise.all(clients.map((c) => c.next()));
    expect(replies.map((r) => r.responseTo)).toEqual(clients.map((_, i) => i + 1));
    expect(replies.every((r) => r.doc.ok === 1)).toBe(true);
    await Promise.all(clients.map((c) => c.close()));
  });
});

describe('fuzz', () => {
  const valid = opMsg({ find: 'fuzz', filter: { a: 1 }, $db: 'wire' });
  type Gen = () => Buffer;
  const rand = (n: number) => Math.floor(Math.random() * n);
  const generators: Array<[string, Gen]> = [
    ['random bytes', () => randomBytes(1 + rand(300))],
    [
      'valid header, garbage body',
      () =>
        withHeader(
          randomBytes(rand(200)),
          rand(1000),
          [2013, 2004, 2012, 1, rand(5000)][rand(5)] as number,
        ),
    ],
    ['truncated valid message', () => valid.subarray(0, rand(valid.length))],
    [
      'huge or negative length',
      () => {
        const b = randomBytes(16 + rand(32));
        b.writeInt32LE([48_000_001, 2 ** 31 - 1, -1, -(2 ** 31), 0, 15][rand(6)] as number, 0);
        return b;
      },
    ],
    [
      'bit-flipped valid message',
      () => {
        const b = Buffer.from(valid);
        for (let i = 0; i < 1 + rand(4); i++) {
          const at = 4 + rand(b.length - 4);
          b[at] = (b[at] as number) ^ (1 << rand(8));
        }
        return b;
      },
    ],
    [
      'valid frame with a lying section length',
      () => {
        const b = Buffer.from(valid);
        b.writeInt32LE(rand(2 ** 16) - 100, 21);
        return b;
      },
    ],
  ];

  it('survives 10 000 malformed frames and still answers a driver ping', async () => {
    const TOTAL = 10_000;
    const counts = new Map<string, number>();
    let replies = 0;
    let sent = 0;
    const worker = async () => {
      while (sent < TOTAL) {
        sent += 1;
        const [name, gen] = generators[rand(generators.length)] as [string, Gen];
        counts.set(name, (counts.get(name) ?? 0) + 1);
        const c = await RawClient.connect(server.port);
        c.send(gen());
        // Ending our side lets the server close frames that are only a prefix of a longer one.
        c.socket.end();
        await c.closed;
        replies += c.pendingReplies;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(counts.size).toBe(generators.length);
    // Frames mutated only in their requestId or a value are still valid and must be answered.
    expect(replies).toBeGreaterThan(0);

    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 3000 });
    try {
      await expect(client.db('admin').command({ ping: 1 })).resolves.toEqual({ ok: 1 });
      await client.db('wire').collection('fuzz').insertOne({ a: 1 });
      expect(await client.db('wire').collection('fuzz').countDocuments({ a: 1 })).toBe(1);
    } finally {
      await client.close();
    }
  });
});
