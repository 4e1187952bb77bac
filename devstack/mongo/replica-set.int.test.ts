/**
 * The wire server as a one-member replica set, through the official driver: discovery by
 * `?replicaSet=`, streaming heartbeats, write and read concerns, and retryable writes that a
 * dropped connection makes the driver send twice but the server applies once.
 */
import { randomUUID } from 'node:crypto';
import {
  type Collection,
  Long,
  ObjectId,
  type Timestamp,
  UUID,
  type CommandSucceededEvent,
  type Document,
  MongoClient,
  type MongoServerError,
  MongoServerSelectionError,
  MongoWriteConcernError,
  type TopologyDescription,
  type WriteConcernSettings,
} from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, opMsg } from '../../test/helpers/mongo-wire';
import { type RunningServer, start } from './server.js';

const EXHAUST_ALLOWED = 1 << 16;
const MORE_TO_COME = 2;

let server: RunningServer;
let client: MongoClient;
/** Every command body the server received, hellos aside. */
const received: Record<string, unknown>[] = [];

interface OpTime {
  ts: Timestamp;
  t: Long;
}
interface Hello {
  electionId: unknown;
  topologyVersion: { processId: unknown };
  lastWrite: { opTime: OpTime; majorityOpTime: OpTime; lastWriteDate: unknown };
}
const succeeded: CommandSucceededEvent[] = [];
let topology: TopologyDescription | undefined;

beforeAll(async () => {
  server = await start({
    port: 0,
    onCommand: (body) => {
      if (!/^(hello|isMaster|ismaster)$/.test(Object.keys(body)[0] ?? '')) received.push(body);
    },
  });
  client = new MongoClient(server.uri, { monitorCommands: true, serverSelectionTimeoutMS: 3000 });
  client.on('commandSucceeded', (e) => succeeded.push(e));
  client.on('topologyDescriptionChanged', (e) => (topology = e.newDescription));
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

let coll: Collection;
beforeEach(async () => {
  coll = client.db('rs').collection(`c_${randomUUID().slice(0, 8)}`);
  await coll.insertOne({ _id: 'seed' } as Document);
  received.length = 0;
  succeeded.length = 0;
});

const receivedNamed = (name: string) => received.filter((b) => Object.keys(b)[0] === name);
const repliesTo = (name: string) =>
  succeeded.filter((e) => e.commandName === name).map((e) => e.reply as Document);

async function failPoint(name: string, data: Document, times = 1): Promise<void> {
  await client.db('admin').command({ configureFailPoint: name, mode: { times }, data });
}

describe('discovery', () => {
  it('is discovered through ?replicaSet= as the primary of a one-member set', () => {
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/?replicaSet=devstack`);
    expect(topology?.type).toBe('ReplicaSetWithPrimary');
    expect(topology?.setName).toBe('devstack');
    expect([...(topology?.servers.values() ?? [])].map((s) => [s.address, s.type])).toEqual([
      [`127.0.0.1:${server.port}`, 'RSPrimary'],
    ]);
  });

  it('names itself, its election and its last write in hello; the optime moves with writes', async () => {
    const me = `127.0.0.1:${server.port}`;
    const hello = async () => (await client.db('admin').command({ hello: 1 })) as Hello;
    const before = await hello();
    expect(before).toMatchObject({
      isWritablePrimary: true,
      secondary: false,
      setName: 'devstack',
      setVersion: 1,
      hosts: [me],
      primary: me,
      me,
      logicalSessionTimeoutMinutes: 30,
    });
    expect(before.electionId).toBeInstanceOf(ObjectId);
    expect(before.topologyVersion.processId).toBeInstanceOf(ObjectId);
    const opTime = (h: Hello) => h.lastWrite.opTime.ts;
    expect(before.lastWrite.majorityOpTime).toEqual(before.lastWrite.opTime);
    await coll.insertOne({ n: 1 });
    const after = await hello();
    expect(opTime(after).greaterThan(opTime(before))).toBe(true);
    expect(after.lastWrite.lastWriteDate).toBeInstanceOf(Date);
  });

  it('fails server selection when the URI names another replica set', async () => {
    const other = new MongoClient(server.uri.replace('replicaSet=devstack', 'replicaSet=rs0'), {
      serverSelectionTimeoutMS: 500,
    });
    try {
      const error = await other.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerSelectionError);
      // The driver dropped the member that answered for another set: nothing is left to select.
      expect((error as MongoServerSelectionError).reason?.setName).toBe('rs0');
      expect((error as MongoServerSelectionError).reason?.servers.size).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('streaming heartbeats', () => {
  it('the driver monitors with awaited hellos, as with mongod', async () => {
    const watcher = new MongoClient(server.uri, { heartbeatFrequencyMS: 200 });
    const awaited: boolean[] = [];
    watcher.on('serverHeartbeatSucceeded', (e) => awaited.push(e.awaited));
    try {
      await watcher.connect();
      // Three awaited heartbeats take ~600 ms at 200 ms each; a loaded machine may take longer,
      // so wait for them (a server that never holds a hello still fails: none are awaited).
      const deadline = Date.now() + 15_000;
      while (awaited.filter(Boolean).length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(awaited.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    } finally {
      await watcher.close();
    }
  });

  it('holds an awaitable hello for maxAwaitTimeMS and, with exhaustAllowed, keeps answering it', async () => {
    const raw = await RawClient.connect(server.port);
    try {
      raw.send(opMsg({ hello: 1, $db: 'admin' }, { requestId: 1 }));
      const { doc } = await raw.next();
      const topologyVersion = doc.topologyVersion as Document;
      const sentAt = Date.now();
      raw.send(
        opMsg(
          { hello: 1, topologyVersion, maxAwaitTimeMS: 150, $db: 'admin' },
          { requestId: 2, flags: EXHAUST_ALLOWED },
        ),
      );
      const first = await raw.next();
      const second = await raw.next();
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(290);
      expect(first.flags & MORE_TO_COME).toBe(MORE_TO_COME);
      expect(first.responseTo).toBe(2);
      expect(second.flags & MORE_TO_COME).toBe(MORE_TO_COME);
      expect(second.doc).toMatchObject({ ok: 1, isWritablePrimary: true });
    } finally {
      await raw.close();
    }
  });

  it('answers at once a hello that names another process topologyVersion', async () => {
    const raw = await RawClient.connect(server.port);
    try {
      const sentAt = Date.now();
      const stale = { processId: new ObjectId(), counter: Long.fromNumber(0) };
      raw.send(opMsg({ hello: 1, topologyVersion: stale, maxAwaitTimeMS: 5000, $db: 'admin' }, {}));
      const reply = await raw.next();
      expect(Date.now() - sentAt).toBeLessThan(1000);
      expect(reply.flags).toBe(0);
    } finally {
      await raw.close();
    }
  });
});

describe('write and read concerns', () => {
  it('acknowledges w: majority, and the server received it with the write', async () => {
    await coll.insertOne({ n: 1 }, { writeConcern: { w: 'majority', wtimeoutMS: 1000 } });
    expect(receivedNamed('insert').map((b) => b.writeConcern)).toEqual([
      { w: 'majority', wtimeout: 1000 },
    ]);
  });

  it('applies a write whose w cannot be met, then reports a write concern error, as mongod', async () => {
    const tooMany = await coll
      .insertOne({ _id: 'w2' } as Document, { writeConcern: { w: 2 } })
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(MongoWriteConcernError);
    expect((tooMany as MongoWriteConcernError).code).toBe(100);
    // A tag name is a valid w for MongoDB; the driver's type only lists numbers and 'majority'.
    const tagged = { w: 'eastCoast' } as unknown as WriteConcernSettings;
    const tag = await coll
      .insertOne({ _id: 'tag' } as Document, { writeConcern: tagged })
      .catch((e: unknown) => e);
    expect((tag as MongoWriteConcernError).code).toBe(79);
    expect((tag as MongoWriteConcernError).message).toContain(
      "No write concern mode named 'eastCoast'",
    );
    expect(await coll.countDocuments({ _id: { $in: ['w2', 'tag'] } } as Document)).toBe(2);
  });

  it('refuses a malformed write concern before writing anything', async () => {
    const error = await client
      .db('rs')
      .command({
        insert: coll.collectionName,
        documents: [{ _id: 'x' }],
        writeConcern: { w: true },
      })
      .catch((e: unknown) => e);
    expect((error as MongoServerError).code).toBe(9);
    expect(await coll.countDocuments({ _id: 'x' } as Document)).toBe(0);
  });

  it('serves majority reads and refuses an unknown read concern level', async () => {
    await coll.insertOne({ n: 2 });
    expect(await coll.countDocuments({ n: 2 }, { readConcern: { level: 'majority' } })).toBe(1);
    expect(receivedNamed('aggregate').map((b) => b.readConcern)).toEqual([{ level: 'majority' }]);
    const error = await client
      .db('rs')
      .command({ find: coll.collectionName, readConcern: { level: 'eventual' } })
      .catch((e: unknown) => e);
    expect((error as MongoServerError).code).toBe(9);
  });
});

describe('retryable writes', () => {
  it('the driver sends a session and a growing txnNumber with each retryable write', async () => {
    await coll.insertOne({ n: 1 });
    await coll.updateOne({ n: 1 }, { $set: { m: 1 } });
    const [insert, update] = [...receivedNamed('insert'), ...receivedNamed('update')];
    expect(insert).toHaveProperty('lsid.id');
    expect(update?.txnNumber).toEqual(Long.fromNumber(1).add(insert?.txnNumber as Long));
  });

  it('a connection dropped after an update applied it: the retry is answered, not applied again', async () => {
    await failPoint('onPrimaryTransactionalWrite', { closeConnection: true });
    const result = await coll.updateOne({ _id: 'seed' } as Document, { $inc: { n: 1 } });
    expect(result.modifiedCount).toBe(1);
    expect(await coll.findOne({ _id: 'seed' } as Document)).toEqual({ _id: 'seed', n: 1 });
    const [first, retry] = receivedNamed('update');
    expect(retry?.txnNumber).toEqual(first?.txnNumber);
    expect(repliesTo('update')).toEqual([expect.objectContaining({ retriedStmtIds: [0] })]);
  });

  it('the same for a batch insert, a findOneAndUpdate and a deleteOne', async () => {
    await failPoint('onPrimaryTransactionalWrite', { closeConnection: true });
    await coll.insertMany([{ k: 1 }, { k: 2 }, { k: 3 }]);
    expect(await coll.countDocuments({ k: { $exists: true } })).toBe(3);
    expect(repliesTo('insert')).toEqual([
      expect.objectContaining({ n: 3, retriedStmtIds: [0, 1, 2] }),
    ]);

    await failPoint('onPrimaryTransactionalWrite', { closeConnection: true });
    const found = await coll.findOneAndUpdate(
      { _id: 'seed' } as Document,
      { $inc: { n: 1 } },
      { returnDocument: 'after' },
    );
    expect(found).toEqual({ _id: 'seed', n: 1 });

    await failPoint('onPrimaryTransactionalWrite', { closeConnection: true });
    expect((await coll.deleteOne({ k: { $exists: true } })).deletedCount).toBe(1);
    expect(await coll.countDocuments({ k: { $exists: true } })).toBe(2);
  });

  it('a connection dropped before the write (failCommand): the retry applies it once', async () => {
    await failPoint('failCommand', { failCommands: ['update'], closeConnection: true });
    await coll.updateOne({ _id: 'seed' } as Document, { $inc: { n: 1 } });
    expect(await coll.findOne({ _id: 'seed' } as Document)).toEqual({ _id: 'seed', n: 1 });
    expect(receivedNamed('update')).toHaveLength(2);
    expect(repliesTo('update')[0]).not.toHaveProperty('retriedStmtIds');
  });

  it('a retryable write concern error: labelled, retried, and the write stays applied once', async () => {
    await failPoint('failCommand', {
      failCommands: ['update'],
      writeConcernError: { code: 91, errmsg: 'Replication is being shut down' },
    });
    await coll.updateOne({ _id: 'seed' } as Document, { $inc: { n: 1 } });
    expect(await coll.findOne({ _id: 'seed' } as Document)).toEqual({ _id: 'seed', n: 1 });
    expect(receivedNamed('update')).toHaveLength(2);
    expect(repliesTo('update')).toEqual([
      expect.objectContaining({
        writeConcernError: { code: 91, errmsg: 'Replication is being shut down' },
        errorLabels: ['RetryableWriteError'],
      }),
      expect.objectContaining({ retriedStmtIds: [0] }),
    ]);
  });
});

describe('txnNumber rules, over the wire', () => {
  const lsid = { id: new UUID() };
  const insert = (txnNumber: number, extra: Document = {}) =>
    opMsg({
      insert: 'txn',
      documents: [{ at: txnNumber }],
      lsid,
      txnNumber: Long.fromNumber(txnNumber),
      $db: 'rs',
      ...extra,
    });

  it('refuses an older txnNumber on the session (TransactionTooOld) and one on a read', async () => {
    const raw = await RawClient.connect(server.port);
    try {
      raw.send(insert(5));
      expect((await raw.next()).doc).toMatchObject({ ok: 1, n: 1 });
      raw.send(insert(4));
      expect((await raw.next()).doc).toMatchObject({ ok: 0, code: 225 });
      raw.send(opMsg({ find: 'txn', lsid, txnNumber: Long.fromNumber(6), $db: 'rs' }));
      expect((await raw.next()).doc).toMatchObject({ ok: 0, code: 50768 });
      raw.send(
        opMsg({
          update: 'txn',
          updates: [{ q: {}, u: { $set: { x: 1 } }, multi: true }],
          lsid,
          txnNumber: Long.fromNumber(7),
          $db: 'rs',
        }),
      );
      expect((await raw.next()).doc).toMatchObject({
        ok: 1,
        n: 0,
        writeErrors: [expect.objectContaining({ code: 72 })],
      });
    } finally {
      await raw.close();
    }
  });

  it('a standalone refuses txnNumber (so the driver says it does not support retryable writes)', async () => {
    const standalone = await start({ port: 0, replicaSet: false });
    const raw = await RawClient.connect(standalone.port);
    try {
      raw.send(insert(1));
      expect((await raw.next()).doc).toMatchObject({ ok: 0, code: 20 });
      raw.send(insert(1, { txnNumber: undefined, writeConcern: { w: 2 } }));
      expect((await raw.next()).doc).toMatchObject({ ok: 0, code: 2 });
    } finally {
      await raw.close();
      await standalone.stop();
    }
  });
});
