/**
 * Driver-level conformance: the same assertions run against this server and, when MONGODB_URI
 * is set, against a real MongoDB, so the dev server cannot drift from what the app sees in prod.
 */
import { randomUUID } from 'node:crypto';
import {
  type Collection,
  type CommandSucceededEvent,
  type Db,
  type Document,
  type Long,
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  ObjectId,
  type OneOrMore,
  type WriteError,
} from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { start } from './server.js';

interface Target {
  name: string;
  uri?: string;
}

// Under the int project's global setup MONGODB_URI may point at the devstack's own wire server;
// buildInfo tells the two apart at run time.
const targets: Target[] = [{ name: 'devstack wire server (in process)' }];
if (process.env.MONGODB_URI) targets.push({ name: 'MONGODB_URI', uri: process.env.MONGODB_URI });
const DEV_SERVER_GIT_VERSION = 'propagate-devstack';

type Doc = Record<string, unknown>;
type CursorId = Long | number | bigint;

/** The `cursor` sub-document of a find/aggregate/getMore reply. */
interface CursorReply {
  id: CursorId;
  ns: string;
  firstBatch?: Doc[];
  nextBatch?: Doc[];
}

/** One entry of a listIndexes result. */
interface IndexInfo {
  v?: number;
  name: string;
  key: Doc;
  unique?: boolean;
}

/** Runs a raw command and gives its reply the shape the caller expects of it. */
async function command<T extends Document>(db: Db, cmd: Document): Promise<T> {
  return (await db.command(cmd)) as T;
}

/** listIndexes cursors are untyped in the driver. */
async function indexesOf(coll: Collection): Promise<IndexInfo[]> {
  return (await coll.listIndexes().toArray()) as IndexInfo[];
}

/** The duplicate-key error (E11000) a write must fail with. */
async function duplicateKey(write: Promise<unknown>): Promise<MongoServerError> {
  const error = await write.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  expect((error as MongoServerError).code).toBe(11000);
  return error as MongoServerError;
}

const isWriteErrorList = (w: OneOrMore<WriteError>): w is readonly WriteError[] => Array.isArray(w);
const writeErrorsOf = (e: MongoBulkWriteError): readonly WriteError[] =>
  isWriteErrorList(e.writeErrors) ? e.writeErrors : [e.writeErrors];

describe.each(targets)('conformance against $name', (target) => {
  let client: MongoClient;
  let db: Db;
  let stop: (() => Promise<void>) | undefined;
  let isDevServer = false;
  const events: CommandSucceededEvent[] = [];

  beforeAll(async () => {
    let uri = target.uri;
    if (!uri) {
      const server = await start({ port: 0 });
      uri = server.uri;
      stop = () => server.stop();
    }
    client = new MongoClient(uri, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    client.on('commandSucceeded', (e) => events.push(e));
    await client.connect();
    isDevServer =
      (await client.db('admin').command({ buildInfo: 1 })).gitVersion === DEV_SERVER_GIT_VERSION;
    db = client.db(`conformance_${randomUUID().slice(0, 8)}`);
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
    await stop?.();
  });

  beforeEach(async () => {
    events.length = 0;
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray())
      await db.dropCollection(c.name);
  });

  const coll = (name = 'items') => db.collection<Document>(name);
  const cursorOf = (e: CommandSucceededEvent | undefined) =>
    (e?.reply as { cursor?: CursorReply } | undefined)?.cursor;

  describe('handshake and admin', () => {
    it('answers hello like a writable standalone', async () => {
      const hello = await db.admin().command({ hello: 1 });
      expect(hello.ok).toBe(1);
      expect(hello.isWritablePrimary).toBe(true);
      expect(hello.maxBsonObjectSize).toBe(16777216);
      expect(hello.maxMessageSizeBytes).toBe(48000000);
      expect(hello.maxWriteBatchSize).toBe(100000);
      expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
      expect(hello.localTime).toBeInstanceOf(Date);
      expect(hello.compression).toBeUndefined();
      await expect(db.command({ ping: 1 })).resolves.toEqual({ ok: 1 });
      const info = await db.admin().command({ buildInfo: 1 });
      expect(typeof info.version).toBe('string');
    });

    it('rejects an unknown command with CommandNotFound (59)', async () => {
      const err = await db.command({ definitelyNotACommand: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect((err as MongoServerError).code).toBe(59);
      expect((err as MongoServerError).codeName).toBe('CommandNotFound');
    });

    it('creates, lists and drops collections', async () => {
      await db.createCollection('a');
      await coll('b').insertOne({ x: 1 });
      const names = (await db.listCollections({}, { nameOnly: true }).toArray())
        .map((c) => c.name)
        .sort();
      expect(names).toEqual(['a', 'b']);
      const filtered = await db.listCollections({ name: 'b' }).toArray();
      expect(filtered).toHaveLength(1);
      expect(filtered[0]?.type).toBe('collection');
      const err = await db.createCollection('a').catch((e: unknown) => e);
      expect((err as MongoServerError).code).toBe(48);
      expect(await coll('a').drop()).toBe(true);
      expect(
        (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name),
      ).toEqual(['b']);
      const dbs = await db.admin().listDatabases();
      expect(dbs.databases.map((d) => d.name)).toContain(db.databaseName);
    });

    it('reports NamespaceNotFound (26) for listIndexes on a missing collection', async () => {
      const err = await coll('missing')
        .listIndexes()
        .toArray()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect((err as MongoServerError).code).toBe(26);
    });
  });

  describe('insert and find', () => {
    it('generates an ObjectId _id and stores it first', async () => {
      const res = await coll().insertOne({ name: 'a', _idLater: 1 });
      expect(res.insertedId).toBeInstanceOf(ObjectId);
      const doc = await coll().findOne({ name: 'a' });
      expect(Object.keys(doc ?? {})[0]).toBe('_id');
      expect(doc?._id).toEqual(res.insertedId);
      await coll().insertOne({ name: 'b', _id: 'custom' } as never);
      expect(await coll().findOne({ _id: 'custom' } as never)).toEqual({
        _id: 'custom',
        name: 'b',
      });
    });

    it('sorts mixed types in BSON order, both directions, and by several keys', async () => {
      await coll().insertMany([
        { _id: 1, v: 3 },
        { _id: 2, v: 'b' },
        { _id: 3, v: null },
        { _id: 4, v: 1 },
        { _id: 5, v: 'a' },
        { _id: 6, v: 2.5 },
      ] as never);
      const asc = await coll().find({}).sort({ v: 1 }).toArray();
      expect(asc.map((d): unknown => d.v)).toEqual([null, 1, 2.5, 3, 'a', 'b']);
      const desc = await coll().find({}).sort({ v: -1 }).toArray();
      expect(desc.map((d): unknown => d.v)).toEqual(['b', 'a', 3, 2.5, 1, null]);
      await coll('multi').insertMany([
        { a: 1, b: 2 },
        { a: 0, b: 5 },
        { a: 1, b: 1 },
        { a: 0, b: 9 },
      ]);
      const multi = await coll('multi')
        .find({}, { projection: { _id: 0 } })
        .sort({ a: 1, b: -1 })
        .toArray();
      expect(multi).toEqual([
        { a: 0, b: 9 },
        { a: 0, b: 5 },
        { a: 1, b: 2 },
        { a: 1, b: 1 },
      ]);
    });

    it('applies filter operators, skip, limit and projections', async () => {
      await coll().insertMany(
        Array.from({ length: 10 }, (_, i) => ({
          n: i,
          even: i % 2 === 0,
          tags: i < 3 ? ['low'] : ['high', `t${i}`],
          nested: { sq: i * i },
        })),
      );
      expect(await coll().countDocuments({ n: { $gte: 3, $lt: 7 } })).toBe(4);
      expect(await coll().countDocuments({ $or: [{ n: 0 }, { 'nested.sq': 81 }] })).toBe(2);
      expect(await coll().countDocuments({ tags: 'high' })).toBe(7);
      expect(await coll().countDocuments({ n: { $in: [1, 2, 42] } })).toBe(2);
      expect(await coll().countDocuments({ missing: { $exists: false } })).toBe(10);
      const page = await coll()
        .find({ even: true })
        .sort({ n: -1 })
        .skip(1)
        .limit(2)
        .project({ _id: 0, n: 1 })
        .toArray();
      expect(page).toEqual([{ n: 6 }, { n: 4 }]);
      const excluded = await coll().findOne(
        { n: 4 },
        { projection: { tags: 0, nested: 0, _id: 0 } },
      );
      expect(excluded).toEqual({ n: 4, even: true });
      const dotted = await coll().findOne({ n: 3 }, { projection: { 'nested.sq': 1 } });
      expect(Object.keys(dotted ?? {})).toEqual(['_id', 'nested']);
      expect(dotted?.nested).toEqual({ sq: 9 });
    });

    it('pages a cursor with batchSize 2 across getMore', async () => {
      await coll().insertMany([1, 2, 3, 4, 5].map((n) => ({ n })));
      events.length = 0;
      const docs = await coll().find({}).sort({ n: 1 }).batchSize(2).toArray();
      expect(docs.map((d): unknown => d.n)).toEqual([1, 2, 3, 4, 5]);
      const find = events.filter((e) => e.commandName === 'find');
      const getMores = events.filter((e) => e.commandName === 'getMore');
      expect(find).toHaveLength(1);
      expect(cursorOf(find[0])?.firstBatch).toHaveLength(2);
      expect(getMores.map((e) => cursorOf(e)?.nextBatch?.length)).toEqual([2, 1]);
      expect(cursorOf(getMores[1])?.id.toString()).toBe('0');
    });

    it('returns 101 documents in the default first batch', async () => {
      await coll().insertMany(Array.from({ length: 150 }, (_, n) => ({ n })));
      events.length = 0;
      const all = await coll().find({}).toArray();
      expect(all).toHaveLength(150);
      const find = events.find((e) => e.commandName === 'find');
      expect(cursorOf(find)?.firstBatch).toHaveLength(101);
      expect(cursorOf(find)?.id.toString()).not.toBe('0');
    });

    it('closes a cursor on killCursors so getMore fails with CursorNotFound (43)', async () => {
      await coll().insertMany([1, 2, 3, 4, 5].map((n) => ({ n })));
      const first = await command<{ cursor: CursorReply }>(db, { find: 'items', batchSize: 1 });
      const id = first.cursor.id;
      const killed = await command<{ cursorsKilled: CursorId[] }>(db, {
        killCursors: 'items',
        cursors: [id],
      });
      expect(killed.cursorsKilled.map((k) => k.toString())).toEqual([id.toString()]);
      const err = await db.command({ getMore: id, collection: 'items' }).catch((e: unknown) => e);
      expect((err as MongoServerError).code).toBe(43);
    });

    it('counts and lists distinct values sorted, flattening arrays', async () => {
      await coll().insertMany([
        { c: 'b', t: ['x', 'y'] },
        { c: 'a', t: ['y'] },
        { c: 'b' },
        { c: 3 },
      ]);
      expect(await coll().countDocuments()).toBe(4);
      expect(await coll().countDocuments({ c: 'b' })).toBe(2);
      expect(await coll().countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
      expect(await coll().estimatedDocumentCount()).toBe(4);
      expect(await coll().distinct('c')).toEqual([3, 'a', 'b']);
      expect(await coll().distinct('t')).toEqual(['x', 'y']);
      expect(await coll().distinct('c', { t: 'y' })).toEqual(['a', 'b']);
    });

    it('rejects an unknown query operator with BadValue (2)', async () => {
      const err = await coll()
        .find({ a: { $bogus: 1 } })
        .toArray()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect((err as MongoServerError).code).toBe(2);
    });

    it('rejects a document over 16 MiB', async () => {
      const err = await coll()
        .insertOne({ big: 'x'.repeat(16 * 1024 * 1024 + 1000) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect((err as MongoServerError).code).toBe(2);
      expect(await coll().countDocuments()).toBe(0);
    });
  });

  describe('updates', () => {
    it('reports matched and modified counts like mongod, including no-ops', async () => {
      await coll().insertMany([
        { k: 1, v: 1 },
        { k: 1, v: 2 },
        { k: 2, v: 1 },
      ]);
      const same = await coll().updateOne({ k: 2 }, { $set: { v: 1 } });
      expect([same.matchedCount, same.modifiedCount, same.upsertedCount]).toEqual([1, 0, 0]);
      const many = await coll().updateMany({ k: 1 }, { $set: { v: 2 } });
      expect([many.matchedCount, many.modifiedCount]).toEqual([2, 1]);
      const none = await coll().updateMany({ k: 9 }, { $set: { v: 2 } });
      expect([none.matchedCount, none.modifiedCount, none.upsertedId]).toEqual([0, 0, null]);
    });

    it('upserts from the filter equalities and $setOnInsert', async () => {
      const res = await coll().updateOne(
        { email: 'a@x', age: { $gt: 5 } },
        { $set: { name: 'A' }, $setOnInsert: { created: true } },
        { upsert: true },
      );
      expect(res.upsertedCount).toBe(1);
      expect(res.matchedCount).toBe(0);
      expect(res.modifiedCount).toBe(0);
      expect(res.upsertedId).toBeInstanceOf(ObjectId);
      const doc = await coll().findOne({ _id: res.upsertedId as ObjectId });
      expect(doc).toEqual({ _id: res.upsertedId, email: 'a@x', name: 'A', created: true });
      const again = await coll().updateOne(
        { email: 'a@x' },
        { $set: { name: 'B' }, $setOnInsert: { created: false } },
        { upsert: true },
      );
      expect([again.matchedCount, again.modifiedCount, again.upsertedCount]).toEqual([1, 1, 0]);
      expect((await coll().findOne({ email: 'a@x' }))?.created).toBe(true);
      const withId = await coll().updateOne(
        { _id: 'fixed' } as never,
        { $inc: { n: 1 } },
        { upsert: true },
      );
      expect(withId.upsertedId).toBe('fixed');
    });

    it('reports upserted index and _id for each upserting statement of a bulk update', async () => {
      const reply = await command<{
        n: number;
        nModified: number;
        upserted: Array<{ index: number; _id: unknown }>;
      }>(db, {
        update: 'items',
        updates: [
          { q: { k: 1 }, u: { $set: { v: 1 } }, upsert: true },
          { q: { k: 1 }, u: { $set: { v: 2 } }, upsert: true },
          { q: { _id: 7 }, u: { $set: { v: 3 } }, upsert: true },
        ],
      });
      expect(reply.n).toBe(3);
      expect(reply.nModified).toBe(1);
      expect(reply.upserted.map((u) => u.index)).toEqual([0, 2]);
      expect(reply.upserted[1]?._id).toBe(7);
    });

    it('applies the usual update operators', async () => {
      const { insertedId } = await coll().insertOne({
        n: 1,
        lo: 5,
        hi: 5,
        arr: [1, 2, 3, 2],
        set: ['a'],
        old: 'x',
        gone: 1,
        items: [{ q: 1 }, { q: 5 }],
      });
      await coll().updateOne({ _id: insertedId }, {
        $inc: { n: 2 },
        $min: { lo: 3 },
        $max: { hi: 9 },
        $pull: { arr: 2 },
        $addToSet: { set: { $each: ['a', 'b'] } },
        $rename: { old: 'renamed' },
        $unset: { gone: '' },
        $currentDate: { at: true },
      } as never);
      await coll().updateOne(
        { _id: insertedId },
        {
          $push: { arr: { $each: [9, 8], $sort: 1 } },
          $set: { 'items.$[big].flag': true },
        } as never,
        { arrayFilters: [{ 'big.q': { $gt: 2 } }] },
      );
      await coll().updateOne(
        { _id: insertedId, 'items.q': 1 },
        { $set: { 'items.$.first': true } },
      );
      const doc = await coll().findOne({ _id: insertedId });
      expect(doc).toMatchObject({
        n: 3,
        lo: 3,
        hi: 9,
        arr: [1, 3, 8, 9],
        set: ['a', 'b'],
        renamed: 'x',
        items: [
          { q: 1, first: true },
          { q: 5, flag: true },
        ],
      });
      expect(doc).not.toHaveProperty('gone');
      expect(doc).not.toHaveProperty('old');
      expect(doc?.at).toBeInstanceOf(Date);
    });

    it('replaces documents keeping _id and supports pipeline updates', async () => {
      const { insertedId } = await coll().insertOne({ a: 1, b: 2 });
      const r = await coll().replaceOne({ _id: insertedId }, { c: 3 });
      expect(r.modifiedCount).toBe(1);
      expect(await coll().findOne({ _id: insertedId })).toEqual({ _id: insertedId, c: 3 });
      await coll().updateOne({ _id: insertedId }, [{ $set: { d: { $add: ['$c', 10] } } }]);
      expect((await coll().findOne({ _id: insertedId }))?.d).toBe(13);
    });

    it('refuses to change _id (66) and $inc on a string (14)', async () => {
      const { insertedId } = await coll().insertOne({ s: 'text' });
      const immutable = await coll()
        .updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } })
        .catch((e: unknown) => e);
      expect(immutable).toBeInstanceOf(MongoServerError);
      expect((immutable as MongoServerError).code).toBe(66);
      const mismatch = await coll()
        .updateOne({ _id: insertedId }, { $inc: { s: 1 } })
        .catch((e: unknown) => e);
      expect(mismatch).toBeInstanceOf(MongoServerError);
      expect((mismatch as MongoServerError).code).toBe(14);
    });

    it('deletes one or many', async () => {
      await coll().insertMany([{ g: 1 }, { g: 1 }, { g: 1 }, { g: 2 }]);
      expect((await coll().deleteOne({ g: 1 })).deletedCount).toBe(1);
      expect((await coll().deleteMany({ g: 1 })).deletedCount).toBe(2);
      expect((await coll().deleteMany({ g: 42 })).deletedCount).toBe(0);
      expect(await coll().countDocuments()).toBe(1);
    });
  });

  describe('findAndModify', () => {
    it('returns the document before or after, honouring sort and projection', async () => {
      await coll().insertMany([
        { q: 'x', n: 1 },
        { q: 'x', n: 2 },
      ]);
      const before = await coll().findOneAndUpdate(
        { q: 'x' },
        { $inc: { n: 10 } },
        { sort: { n: -1 }, returnDocument: 'before', projection: { _id: 0 } },
      );
      expect(before).toEqual({ q: 'x', n: 2 });
      const after = await coll().findOneAndUpdate(
        { q: 'x' },
        { $inc: { n: 10 } },
        { sort: { n: 1 }, returnDocument: 'after', projection: { _id: 0, n: 1 } },
      );
      expect(after).toEqual({ n: 11 });
      expect(await coll().findOneAndUpdate({ q: 'nope' }, { $set: { n: 0 } })).toBeNull();
    });

    it('exposes lastErrorObject for updates, upserts and removes', async () => {
      const up = await coll().findOneAndUpdate(
        { key: 'k' },
        { $set: { v: 1 } },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true },
      );
      expect(up.lastErrorObject?.n).toBe(1);
      expect(up.lastErrorObject?.updatedExisting).toBe(false);
      expect(up.lastErrorObject?.upserted).toEqual(up.value?._id);
      expect(up.value).toMatchObject({ key: 'k', v: 1 });
      const again = await coll().findOneAndUpdate(
        { key: 'k' },
        { $set: { v: 2 } },
        { upsert: true, includeResultMetadata: true },
      );
      expect(again.lastErrorObject).toEqual({ n: 1, updatedExisting: true });
      expect(again.value?.v).toBe(1);
      const upsertBefore = await coll().findOneAndUpdate(
        { key: 'new' },
        { $set: { v: 1 } },
        { upsert: true, returnDocument: 'before' },
      );
      expect(upsertBefore).toBeNull();
      const removed = await coll().findOneAndDelete({ key: 'k' }, { includeResultMetadata: true });
      expect(removed.lastErrorObject).toEqual({ n: 1 });
      expect(removed.value?.v).toBe(2);
      const replaced = await coll().findOneAndReplace(
        { key: 'new' },
        { key: 'new', r: true },
        { returnDocument: 'after', projection: { _id: 0 } },
      );
      expect(replaced).toEqual({ key: 'new', r: true });
      expect(await coll().findOneAndDelete({ key: 'k' })).toBeNull();
    });
  });

  describe('unique indexes', () => {
    it('creates indexes idempotently and lists them', async () => {
      expect(await coll().createIndex({ email: 1 }, { unique: true })).toBe('email_1');
      expect(await coll().createIndex({ email: 1 }, { unique: true })).toBe('email_1');
      expect(await coll().createIndex({ a: 1, b: -1 }, { name: 'ab' })).toBe('ab');
      const indexes = await indexesOf(coll());
      expect(indexes.map((i) => [i.name, i.key, i.unique ?? false])).toEqual([
        ['_id_', { _id: 1 }, false],
        ['email_1', { email: 1 }, true],
        ['ab', { a: 1, b: -1 }, false],
      ]);
      await coll().dropIndex('ab');
      expect((await indexesOf(coll())).map((i) => i.name)).toEqual(['_id_', 'email_1']);
      const missing = await coll()
        .dropIndex('nope')
        .catch((e: unknown) => e);
      expect((missing as MongoServerError).code).toBe(27);
      const conflict = await coll()
        .createIndex({ email: 1 }, { unique: true, name: 'other' })
        .catch((e: unknown) => e);
      expect((conflict as MongoServerError).code).toBe(85);
    });

    it('raises E11000 with keyPattern and keyValue on insert', async () => {
      await coll().createIndex({ email: 1 }, { unique: true });
      await coll().insertOne({ email: 'a@x' });
      const e = await duplicateKey(coll().insertOne({ email: 'a@x' }));
      expect(e.keyPattern).toEqual({ email: 1 });
      expect(e.keyValue).toEqual({ email: 'a@x' });
      expect(e.message).toMatch(
        new RegExp(
          `^E11000 duplicate key error collection: ${db.databaseName}\\.items index: email_1 dup key: \\{ email: "a@x" \\}$`,
        ),
      );
      const idErr = await duplicateKey(
        coll().insertOne({ _id: (await coll().findOne({}))?._id, email: 'b@x' }),
      );
      expect(idErr.keyPattern).toEqual({ _id: 1 });
    });

    it('enforces compound unique indexes', async () => {
      await coll().createIndex({ tenant: 1, slug: 1 }, { unique: true });
      await coll().insertMany([
        { tenant: 't1', slug: 's' },
        { tenant: 't2', slug: 's' },
      ]);
      const err = await duplicateKey(coll().insertOne({ tenant: 't1', slug: 's' }));
      expect(err.keyValue).toEqual({ tenant: 't1', slug: 's' });
      expect(err.message).toContain('dup key: { tenant: "t1", slug: "s" }');
    });

    it('stops ordered insertMany at the first duplicate and continues unordered', async () => {
      await coll().createIndex({ u: 1 }, { unique: true });
      await coll().insertOne({ u: 1 });
      const ordered = await coll()
        .insertMany([{ u: 2 }, { u: 1 }, { u: 3 }])
        .catch((e: unknown) => e);
      expect(ordered).toBeInstanceOf(MongoBulkWriteError);
      const o = ordered as MongoBulkWriteError;
      expect(o.code).toBe(11000);
      expect(o.insertedCount).toBe(1);
      expect(o.writeErrors).toHaveLength(1);
      expect(writeErrorsOf(o)[0]?.index).toBe(1);
      expect(await coll().countDocuments({ u: 3 })).toBe(0);
      const unordered = await coll()
        .insertMany([{ u: 4 }, { u: 1 }, { u: 2 }, { u: 5 }], { ordered: false })
        .catch((e: unknown) => e);
      expect(unordered).toBeInstanceOf(MongoBulkWriteError);
      const u = unordered as MongoBulkWriteError;
      expect(u.insertedCount).toBe(2);
      expect(writeErrorsOf(u).map((w) => w.index)).toEqual([1, 2]);
      expect((await coll().distinct('u')).sort()).toEqual([1, 2, 4, 5]);
    });

    it('enforces uniqueness on update, upsert and findAndModify', async () => {
      await coll().createIndex({ u: 1 }, { unique: true });
      await coll().insertMany([{ u: 1 }, { u: 2 }]);
      const upd = await duplicateKey(coll().updateOne({ u: 2 }, { $set: { u: 1 } }));
      expect(upd.keyValue).toEqual({ u: 1 });
      await duplicateKey(coll().updateOne({ nothing: true }, { $set: { u: 2 } }, { upsert: true }));
      const fam = await duplicateKey(coll().findOneAndUpdate({ u: 1 }, { $set: { u: 2 } }));
      expect(fam.keyPattern).toEqual({ u: 1 });
      expect(fam.keyValue).toEqual({ u: 2 });
      expect((await coll().find({}).sort({ u: 1 }).toArray()).map((d): unknown => d.u)).toEqual([
        1, 2,
      ]);
    });

    it('refuses to build a unique index over existing duplicates', async () => {
      await coll().insertMany([{ d: 1 }, { d: 1 }]);
      await duplicateKey(coll().createIndex({ d: 1 }, { unique: true }));
      expect((await indexesOf(coll())).map((i) => i.name)).toEqual(['_id_']);
    });

    it('treats missing fields as null unless the index is sparse', async () => {
      await coll().createIndex({ m: 1 }, { unique: true });
      await coll().insertOne({ other: 1 });
      const err = await duplicateKey(coll().insertOne({ other: 2 }));
      expect(err.keyValue).toEqual({ m: null });
      await coll('sparse').createIndex({ m: 1 }, { unique: true, sparse: true });
      await coll('sparse').insertMany([{ other: 1 }, { other: 2 }]);
      expect(await coll('sparse').countDocuments()).toBe(2);
    });
  });

  describe('aggregation', () => {
    beforeEach(async () => {
      await coll('orders').insertMany([
        { _id: 1, cust: 'a', items: ['x', 'y'], total: 10 },
        { _id: 2, cust: 'b', items: ['x'], total: 5 },
        { _id: 3, cust: 'a', items: [], total: 7 },
      ] as never);
      await coll('customers').insertMany([
        { _id: 'a', name: 'Ann' },
        { _id: 'b', name: 'Bob' },
      ] as never);
    });

    it('runs match, group, sort, project and count', async () => {
      const totals = await coll('orders')
        .aggregate([
          { $match: { total: { $gt: 1 } } },
          { $group: { _id: '$cust', sum: { $sum: '$total' }, n: { $sum: 1 } } },
          { $sort: { sum: -1 } },
          { $project: { _id: 0, cust: '$_id', sum: 1, n: 1 } },
        ])
        .toArray();
      expect(totals).toEqual([
        { sum: 17, n: 2, cust: 'a' },
        { sum: 5, n: 1, cust: 'b' },
      ]);
      expect(
        await coll('orders')
          .aggregate([{ $match: { cust: 'a' } }, { $count: 'c' }])
          .toArray(),
      ).toEqual([{ c: 2 }]);
    });

    it('runs unwind, addFields/set, skip, limit and lookup', async () => {
      const unwound = await coll('orders')
        .aggregate([
          { $unwind: '$items' },
          { $sort: { _id: 1, items: 1 } },
          { $skip: 1 },
          { $limit: 2 },
          { $project: { items: 1 } },
        ])
        .toArray();
      expect(unwound).toEqual([
        { _id: 1, items: 'y' },
        { _id: 2, items: 'x' },
      ]);
      const joined = await coll('orders')
        .aggregate([
          { $sort: { _id: 1 } },
          { $lookup: { from: 'customers', localField: 'cust', foreignField: '_id', as: 'c' } },
          { $addFields: { who: { $first: '$c.name' } } },
          { $set: { double: { $multiply: ['$total', 2] } } },
          { $project: { _id: 1, who: 1, double: 1 } },
        ])
        .toArray();
      expect(joined).toEqual([
        { _id: 1, who: 'Ann', double: 20 },
        { _id: 2, who: 'Bob', double: 10 },
        { _id: 3, who: 'Ann', double: 14 },
      ]);
    });

    it('pages aggregate results through a cursor', async () => {
      await coll('many').insertMany(Array.from({ length: 7 }, (_, n) => ({ n })));
      events.length = 0;
      const out = await coll('many')
        .aggregate([{ $sort: { n: -1 } }], { batchSize: 3 })
        .toArray();
      expect(out.map((d): unknown => d.n)).toEqual([6, 5, 4, 3, 2, 1, 0]);
      expect(
        events
          .filter((e) => e.commandName === 'getMore')
          .map((e) => cursorOf(e)?.nextBatch?.length),
      ).toEqual([3, 1]);
    });
  });

  describe('dev-server-only behaviour', () => {
    it('refuses transactions with IllegalOperation (20)', async (ctx) => {
      if (!isDevServer) ctx.skip('a real MongoDB may support transactions');
      const session = client.startSession();
      try {
        session.startTransaction();
        const err = await coll()
          .findOne({}, { session })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MongoServerError);
        expect((err as MongoServerError).code).toBe(20);
        expect((err as MongoServerError).message).toBe(
          'transactions are not supported by the development server',
        );
        await session.abortTransaction().catch(() => undefined);
      } finally {
        await session.endSession();
      }
      const direct = await db.command({ commitTransaction: 1 }).catch((e: unknown) => e);
      expect((direct as MongoServerError).code).toBe(20);
    });
  });
});
