import {
  type AnyBulkWriteOperation,
  type AnyClientBulkWriteModel,
  type BulkWriteResult,
  type ClientBulkWriteResult,
  type Collection,
  type Db,
  type Document,
  type IndexSpecification,
  type MongoClient,
  ReadPreference,
} from 'mongodb';
import { isPlainObject } from '../values.js';

type Doc = Record<string, unknown>;

/** What an operation returned, and whether its documents are root-level for matching. */
export interface OpResult {
  value: unknown;
  rootElements: boolean;
}

export type Entity =
  | { kind: 'client'; client: MongoClient }
  | { kind: 'database'; db: Db }
  | { kind: 'collection'; coll: Collection }
  | { kind: 'value'; value: unknown };

/** The spec's `readPreference: {mode: ...}` becomes the driver's ReadPreference. */
export function driverOptions(opts: unknown): Doc {
  if (!isPlainObject(opts)) return {};
  const out: Doc = { ...opts };
  const rp = out.readPreference;
  if (isPlainObject(rp) && typeof rp.mode === 'string') {
    out.readPreference = new ReadPreference(
      rp.mode as ConstructorParameters<typeof ReadPreference>[0],
      rp.tagSets as ConstructorParameters<typeof ReadPreference>[1],
      rp,
    );
  }
  return out;
}

/** The CRUD spec's option names map one to one onto the driver's, except these. */
function options(args: Doc, drop: string[]): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(args)) {
    if (drop.includes(key)) continue;
    if (key === 'returnDocument' && typeof value === 'string')
      out.returnDocument = value.toLowerCase();
    else out[key] = value;
  }
  return out;
}

const doc = (v: unknown): Doc => (isPlainObject(v) ? v : {});
const plain = (value: unknown): OpResult => ({ value, rootElements: false });
const cursor = (value: unknown): OpResult => ({ value, rootElements: true });

function bulkResult(r: BulkWriteResult): Doc {
  return {
    deletedCount: r.deletedCount,
    insertedCount: r.insertedCount,
    insertedIds: { ...r.insertedIds },
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    upsertedCount: r.upsertedCount,
    upsertedIds: { ...r.upsertedIds },
  };
}

const mapToDoc = <T>(m: ReadonlyMap<number, T> | undefined): Doc | undefined =>
  m ? Object.fromEntries([...m].map(([k, v]) => [String(k), { ...v }])) : undefined;

export function clientBulkResult(r: ClientBulkWriteResult): Doc {
  const out: Doc = {
    insertedCount: r.insertedCount,
    upsertedCount: r.upsertedCount,
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    deletedCount: r.deletedCount,
  };
  if (r.insertResults) out.insertResults = mapToDoc(r.insertResults);
  if (r.updateResults) out.updateResults = mapToDoc(r.updateResults);
  if (r.deleteResults) out.deleteResults = mapToDoc(r.deleteResults);
  return out;
}

/** Converts a result the driver attaches to a bulk write error, if any. */
export function bulkErrorResult(err: unknown): Doc | undefined {
  if (!isPlainObject(err) && (typeof err !== 'object' || err === null)) return undefined;
  const e = err as { result?: unknown; partialResult?: unknown };
  if (e.partialResult) return clientBulkResult(e.partialResult as ClientBulkWriteResult);
  if (e.result && typeof e.result === 'object' && 'insertedCount' in e.result)
    return bulkResult(e.result as BulkWriteResult);
  return undefined;
}

function clientModels(models: unknown): AnyClientBulkWriteModel<Document>[] {
  return (Array.isArray(models) ? models : []).map((m: unknown) => {
    const [name, body] = Object.entries(doc(m))[0] ?? ['', {}];
    return { name, ...doc(body) } as unknown as AnyClientBulkWriteModel<Document>;
  });
}

async function collectionOp(coll: Collection, name: string, a: Doc): Promise<OpResult> {
  switch (name) {
    case 'aggregate':
      return cursor(await coll.aggregate(a.pipeline as Doc[], options(a, ['pipeline'])).toArray());
    case 'find':
      return cursor(await coll.find(doc(a.filter), options(a, ['filter'])).toArray());
    case 'findOne':
      return cursor(await coll.findOne(doc(a.filter), options(a, ['filter'])));
    case 'countDocuments':
      return plain(await coll.countDocuments(doc(a.filter), options(a, ['filter'])));
    case 'count':
      return plain(await coll.count(doc(a.filter), options(a, ['filter'])));
    case 'estimatedDocumentCount':
      return plain(await coll.estimatedDocumentCount(options(a, [])));
    case 'distinct':
      return plain(
        await coll.distinct(
          String(a.fieldName),
          doc(a.filter),
          options(a, ['fieldName', 'filter']),
        ),
      );
    case 'insertOne': {
      const r = await coll.insertOne(doc(a.document), options(a, ['document']));
      return plain({ insertedId: r.insertedId });
    }
    case 'insertMany': {
      const r = await coll.insertMany(a.documents as Doc[], options(a, ['documents']));
      return plain({ insertedIds: { ...r.insertedIds } });
    }
    case 'updateOne':
    case 'updateMany':
    case 'replaceOne': {
      const body = name === 'replaceOne' ? doc(a.replacement) : (a.update as Doc);
      const drop = ['filter', 'update', 'replacement'];
      const r =
        name === 'updateOne'
          ? await coll.updateOne(doc(a.filter), body, options(a, drop))
          : name === 'updateMany'
            ? await coll.updateMany(doc(a.filter), body, options(a, drop))
            : await coll.replaceOne(doc(a.filter), body, options(a, drop));
      const out: Doc = {
        matchedCount: r.matchedCount,
        modifiedCount: r.modifiedCount,
        upsertedCount: r.upsertedCount,
      };
      // An upserted _id may itself be null, so the count says whether there is one.
      if (r.upsertedCount > 0) out.upsertedId = r.upsertedId;
      return plain(out);
    }
    case 'deleteOne':
      return plain({
        deletedCount: (await coll.deleteOne(doc(a.filter), options(a, ['filter']))).deletedCount,
      });
    case 'deleteMany':
      return plain({
        deletedCount: (await coll.deleteMany(doc(a.filter), options(a, ['filter']))).deletedCount,
      });
    case 'findOneAndDelete':
      return cursor(await coll.findOneAndDelete(doc(a.filter), options(a, ['filter'])));
    case 'findOneAndReplace':
      return cursor(
        await coll.findOneAndReplace(
          doc(a.filter),
          doc(a.replacement),
          options(a, ['filter', 'replacement']),
        ),
      );
    case 'findOneAndUpdate':
      return cursor(
        await coll.findOneAndUpdate(
          doc(a.filter),
          a.update as Doc,
          options(a, ['filter', 'update']),
        ),
      );
    case 'bulkWrite': {
      const r = await coll.bulkWrite(
        a.requests as AnyBulkWriteOperation<Document>[],
        options(a, ['requests']),
      );
      return plain(bulkResult(r));
    }
    case 'createIndex':
      return plain(await coll.createIndex(doc(a.keys) as IndexSpecification, options(a, ['keys'])));
    case 'dropIndex':
      return plain(await coll.dropIndex(String(a.name), options(a, ['name'])));
    case 'listIndexes':
      return cursor(await coll.listIndexes(options(a, [])).toArray());
    default:
      throw new UnsupportedOperation(`collection.${name}`);
  }
}

async function databaseOp(db: Db, name: string, a: Doc): Promise<OpResult> {
  switch (name) {
    case 'aggregate':
      return cursor(await db.aggregate(a.pipeline as Doc[], options(a, ['pipeline'])).toArray());
    case 'runCommand':
      return plain(await db.command(doc(a.command), options(a, ['command', 'commandName'])));
    case 'createCollection':
      await db.createCollection(String(a.collection), options(a, ['collection']));
      return plain(undefined);
    case 'dropCollection':
      return plain(await db.dropCollection(String(a.collection), options(a, ['collection'])));
    case 'listCollections':
      return cursor(await db.listCollections(doc(a.filter), options(a, ['filter'])).toArray());
    case 'modifyCollection':
      return plain(await db.command({ collMod: a.collection, ...options(a, ['collection']) }));
    default:
      throw new UnsupportedOperation(`database.${name}`);
  }
}

async function clientOp(client: MongoClient, name: string, a: Doc): Promise<OpResult> {
  switch (name) {
    case 'clientBulkWrite':
      return plain(
        clientBulkResult(await client.bulkWrite(clientModels(a.models), options(a, ['models']))),
      );
    case 'listDatabases':
      return plain((await client.db('admin').admin().listDatabases(options(a, []))).databases);
    default:
      throw new UnsupportedOperation(`client.${name}`);
  }
}

/** An operation this runner does not implement: the test fails with this as its reason. */
export class UnsupportedOperation extends Error {
  constructor(what: string) {
    super(`the unified runner does not implement ${what}`);
  }
}

export function runEntityOp(entity: Entity, name: string, args: Doc): Promise<OpResult> {
  switch (entity.kind) {
    case 'collection':
      return collectionOp(entity.coll, name, args);
    case 'database':
      return databaseOp(entity.db, name, args);
    case 'client':
      return clientOp(entity.client, name, args);
    default:
      throw new UnsupportedOperation(`operations on a saved value (${name})`);
  }
}
