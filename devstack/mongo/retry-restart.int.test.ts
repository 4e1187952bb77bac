/**
 * A retryable write whose reply was lost, retried by the official driver against a wire server
 * process that was killed and started again on the same data directory: the retry is answered
 * from the journaled history (mongod's `config.transactions`), not applied a second time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Binary, Long } from 'bson';
import { type CommandSucceededEvent, type Document, MongoClient } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawClient, opMsg } from '../../test/helpers/mongo-wire';
import { start } from './server.js';

const cleanups: Array<() => unknown> = [];
/** Closed first: a client closing against a dead server waits out server selection. */
const clients: MongoClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devstack-retry-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts cli.ts on `port` (0: any) and resolves once it listens. */
async function launch(
  dbPath: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const cli = path.join(import.meta.dirname, 'cli.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--port', String(port), '--db-path', dbPath],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`wire server exited with ${code}`)));
  });
  return { child, port: Number(/:(\d+)\//.exec(line)?.[1]) };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL'); // no shutdown: nothing gets fsynced or closed on the way out
  await exited;
}

/**
 * A TCP relay the driver talks to. When the server drops a client connection (the fail point,
 * after the write was applied), the relay goes dark before the driver learns of it, so the
 * driver's retry cannot reach the old process: it waits in server selection until `resume()`.
 */
async function relay(upstream: () => number) {
  let dark = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (dark) return void client.destroy();
    const up = net.connect(upstream(), '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, up];
    pairs.add(pair);
    client.pipe(up);
    up.pipe(client);
    let clientGone = false;
    up.on('close', () => {
      if (clientGone) return;
      dark = true;
      for (const [c, u] of pairs) {
        c.destroy();
        u.destroy();
      }
      pairs.clear();
    });
    client.on('close', () => {
      clientGone = true;
      pairs.delete(pair);
      up.destroy();
    });
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return {
    port: (server.address() as net.AddressInfo).port,
    isDark: () => dark,
    resume: () => void (dark = false),
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(condition()).toBe(true);
}

/** Runs `write` so its reply is lost and the server restarted before the driver's retry. */
async function lostReplyAcrossRestart(
  write: (db: ReturnType<MongoClient['db']>) => Promise<unknown>,
) {
  const dir = tempDir();
  let server = await launch(dir, 0);
  const port = server.port;
  const proxy = await relay(() => port);
  const client = new MongoClient(`mongodb://127.0.0.1:${proxy.port}/?directConnection=true`, {
    monitorCommands: true,
    serverSelectionTimeoutMS: 30_000,
  });
  clients.push(client);
  const replies: Document[] = [];
  client.on('commandSucceeded', (e: CommandSucceededEvent) => replies.push(e.reply as Document));
  const db = client.db('retry');
  await db.collection('c').insertOne({ _id: 1, n: 0 } as never);
  await client.db('admin').command({
    configureFailPoint: 'onPrimaryTransactionalWrite',
    mode: { times: 1 },
    data: { closeConnection: true },
  });
  replies.length = 0;
  const pending = write(db);
  await until(proxy.isDark);
  await kill(server.child);
  server = await launch(dir, port);
  proxy.resume();
  const result = await pending;
  return { result, replies, first: () => db.collection('c').findOne({ _id: 1 } as never), db };
}

describe('a retryable write retried against a restarted wire server', () => {
  it('updateOne: the retry returns the first result and the $inc is applied once', async () => {
    const { result, replies, first } = await lostReplyAcrossRestart((db) =>
      db.collection('c').updateOne({ _id: 1 } as never, { $inc: { n: 1 } }),
    );
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(replies).toEqual([expect.objectContaining({ retriedStmtIds: [0] })]);
    expect(await first()).toEqual({ _id: 1, n: 1 });
  });

  it('insertMany: every statement is answered from the history, no duplicate key', async () => {
    const { result, replies, db } = await lostReplyAcrossRestart((db) =>
      db.collection('c').insertMany([{ _id: 2 }, { _id: 3 }] as never),
    );
    expect(result).toMatchObject({ insertedCount: 2 });
    expect(replies).toEqual([expect.objectContaining({ n: 2, retriedStmtIds: [0, 1] })]);
    expect(await db.collection('c').countDocuments()).toBe(3);
  });

  it('findOneAndUpdate: the retry returns the document the first attempt returned', async () => {
    const { result, first } = await lostReplyAcrossRestart((db) =>
      db
        .collection('c')
        .findOneAndUpdate({ _id: 1 } as never, { $inc: { n: 5 } }, { returnDocument: 'after' }),
    );
    expect(result).toEqual({ _id: 1, n: 5 });
    expect(await first()).toEqual({ _id: 1, n: 5 });
  });
});

describe('the journaled retry history', () => {
  const lsid = (byte: number) => ({ id: new Binary(Buffer.alloc(16, byte), 4) });
  async function update(port: number, session: number, txnNumber: number) {
    const raw = await RawClient.connect(port);
    try {
      raw.send(
        opMsg({
          update: 'c',
          updates: [{ q: { _id: session }, u: { $inc: { n: 1 } }, upsert: true }],
          lsid: lsid(session),
          txnNumber: Long.fromNumber(txnNumber),
          $db: 'h',
        }),
      );
      return (await raw.next()).doc;
    } finally {
      await raw.close();
    }
  }

  it('is compacted to the last txnNumber of each session, which a retry still finds', async () => {
    const dbPath = tempDir();
    let server = await start({ port: 0, dbPath });
    for (let t = 1; t <= 1200; t++) await update(server.port, 1, t);
    await update(server.port, 2, 7);
    await server.stop();
    server = await start({ port: 0, dbPath }); // compacts on start
    await server.stop();
    server = await start({ port: 0, dbPath });
    cleanups.push(() => server.stop());
    // The collection, two documents and two histories: one per session.
    expect(server.replay?.changes).toBe(5);
    expect(await update(server.port, 1, 1200)).toMatchObject({ n: 1, retriedStmtIds: [0] });
    expect(await update(server.port, 2, 7)).toMatchObject({ n: 1, retriedStmtIds: [0] });
    expect(await update(server.port, 1, 1199)).toMatchObject({ ok: 0, code: 225 });
    const client = new MongoClient(server.uri);
    clients.push(client);
    expect(await client.db('h').collection('c').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, n: 1200 },
      { _id: 2, n: 1 },
    ]);
  });
});

describe('durability of acknowledged writes', () => {
  it('j: true and w: majority are acknowledged after the journal is fsynced; w: 1 is not synced', async () => {
    const server = await start({ port: 0, dbPath: tempDir() });
    cleanups.push(() => server.stop());
    const client = new MongoClient(server.uri);
    clients.push(client);
    const coll = client.db('sync').collection('c');
    await coll.insertOne({ warm: true });
    const fsyncs = vi.spyOn(fs, 'fdatasyncSync');
    cleanups.push(() => fsyncs.mockRestore());
    await coll.insertOne({ a: 1 }, { writeConcern: { w: 1 } });
    await coll.insertOne({ a: 2 });
    expect(fsyncs).not.toHaveBeenCalled();
    await coll.insertOne({ a: 3 }, { writeConcern: { w: 1, journal: true } });
    expect(fsyncs).toHaveBeenCalledTimes(1);
    await coll.updateOne({ a: 3 }, { $set: { b: 1 } }, { writeConcern: { w: 'majority' } });
    expect(fsyncs).toHaveBeenCalledTimes(2);
  });
});
