import 'server-only';
import { MongoClient, type Db } from 'mongodb';
import { env } from '@/lib/env';
import { SetNameWitness, mongoClientOptions } from '@/lib/db/mongo-options';

// Cached on globalThis so Next's hot reload in development does not open a new pool per edit.
const globalForMongo = globalThis as unknown as { propagateMongo?: Promise<MongoClient> };

async function open(): Promise<MongoClient> {
  const client = new MongoClient(env.MONGODB_URI, mongoClientOptions(env.MONGODB_URI));
  const witness = new SetNameWitness();
  client.on('serverHeartbeatSucceeded', witness.listener);
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw witness.explain(error);
  } finally {
    client.off('serverHeartbeatSucceeded', witness.listener);
  }
  return client;
}

function connect(): Promise<MongoClient> {
  const connecting = open();
  // A failed connect must not be cached for ever: the next caller tries again.
  connecting.catch(() => {
    if (globalForMongo.propagateMongo === connecting) delete globalForMongo.propagateMongo;
  });
  return connecting;
}

export async function getDb(): Promise<Db> {
  globalForMongo.propagateMongo ??= connect();
  const client = await globalForMongo.propagateMongo;
  return client.db(env.MONGODB_DB);
}

export async function closeMongo(): Promise<void> {
  const pending = globalForMongo.propagateMongo;
  delete globalForMongo.propagateMongo;
  if (pending) await (await pending.catch(() => null))?.close();
}
