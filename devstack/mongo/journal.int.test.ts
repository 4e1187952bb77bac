import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient, MongoServerError } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { start } from './server.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devstack-mongo-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function withClient<T>(uri: string, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function seed(dbPath: string): Promise<void> {
  const server = await start({ port: 0, dbPath });
  await withClient(server.uri, async (c) => {
    const users = c.db('app').collection('users');
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertMany([
      { _id: 1, email: 'a@x', n: 1 },
      { _id: 2, email: 'b@x', n: 2 },
      { _id: 3, email: 'c@x', n: 3 },
    ] as never);
    await users.updateOne({ _id: 2 } as never, { $inc: { n: 40 } });
    await users.deleteOne({ _id: 3 } as never);
    await c.db('app').collection('gone').insertOne({ x: 1 });
    await c.db('app').collection('gone').drop();
    await c
      .db('other')
      .collection('things')
      .insertOne({ _id: 'k', at: new Date(0) } as never);
  });
  await server.stop();
}

async function expectSeeded(uri: string): Promise<void> {
  await withClient(uri, async (c) => {
    const users = c.db('app').collection('users');
    expect(await users.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, email: 'a@x', n: 1 },
      { _id: 2, email: 'b@x', n: 42 },
    ]);
    const indexes = (await users.listIndexes().toArray()) as Array<{
      name: string;
      unique?: boolean;
    }>;
    expect(indexes.map((i) => [i.name, i.unique ?? false])).toEqual([
      ['_id_', false],
      ['email_1', true],
    ]);
    const dup = await users.insertOne({ email: 'a@x' }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(MongoServerError);
    expect((dup as MongoServerError).code).toBe(11000);
    expect(
      (await c.db('app').listCollections({}, { nameOnly: true }).toArray()).map((x) => x.name),
    ).toEqual(['users']);
    expect(await c.db('other').collection('things').findOne({})).toEqual({
      _id: 'k',
      at: new Date(0),
    });
  });
}

describe('journal', () => {
  it('brings data and indexes back after a restart', async () => {
    const dir = tempDir();
    await seed(dir);
    const server = await start({ port: 0, dbPath: dir });
    try {
      expect(server.replay?.discardedBytes).toBe(0);
      await expectSeeded(server.uri);
    } finally {
      await server.stop();
    }
  });

  it('ignores and truncates garbage or a torn record at the end, keeping every complete record', async () => {
    const dir = tempDir();
    await seed(dir);
    const file = path.join(dir, 'journal.bin');
    const intact = fs.statSync(file).size;
    const bytes = fs.readFileSync(file);
    // A torn record: the first 20 bytes of a real one (its header promises more than is there).
    fs.appendFileSync(file, bytes.subarray(0, 20));
    let server = await start({ port: 0, dbPath: dir });
    try {
      expect(server.replay?.discardedBytes).toBe(20);
      expect(fs.statSync(file).size).toBe(intact);
      await expectSeeded(server.uri);
    } finally {
      await server.stop();
    }
    fs.appendFileSync(file, Buffer.from('this is not a journal record at all, just garbage bytes'));
    server = await start({ port: 0, dbPath: dir });
    try {
      expect(server.replay?.discardedBytes).toBeGreaterThan(0);
      await expectSeeded(server.uri);
      // Writes after a truncation land on a clean tail and survive the next restart.
      await withClient(server.uri, (c) =>
        c
          .db('app')
          .collection('users')
          .insertOne({ _id: 9, email: 'z@x' } as never),
      );
    } finally {
      await server.stop();
    }
    server = await start({ port: 0, dbPath: dir });
    try {
      expect(server.replay?.discardedBytes).toBe(0);
      await withClient(server.uri, async (c) =>
        expect(await c.db('app').collection('users').countDocuments()).toBe(3),
      );
    } finally {
      await server.stop();
    }
  });

  it('stops replay at a record whose checksum does not match', async () => {
    const dir = tempDir();
    await seed(dir);
    const file = path.join(dir, 'journal.bin');
    const bytes = fs.readFileSync(file);
    // Corrupt the last byte of the file: the last record (the `other.things` insert) is lost, the rest stays.
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const server = await start({ port: 0, dbPath: dir });
    try {
      expect(server.replay?.discardedBytes).toBeGreaterThan(0);
      await withClient(server.uri, async (c) => {
        expect(await c.db('app').collection('users').countDocuments()).toBe(2);
        expect(await c.db('other').collection('things').countDocuments()).toBe(0);
      });
    } finally {
      await server.stop();
    }
  });
});

describe('compaction', () => {
  it('rewrites a journal full of superseded records on start and keeps the latest state', async () => {
    const dir = tempDir();
    let server = await start({ port: 0, dbPath: dir });
    await withClient(server.uri, async (c) => {
      const counters = c.db('app').collection('counters');
      await counters.createIndex({ name: 1 }, { unique: true });
      await counters.insertOne({ _id: 'hits', name: 'hits', n: 0 } as never);
      for (let i = 0; i < 1500; i++)
        await counters.updateOne({ _id: 'hits' } as never, { $inc: { n: 1 } });
    });
    await server.stop();
    const file = path.join(dir, 'journal.bin');
    const before = fs.statSync(file).size;
    server = await start({ port: 0, dbPath: dir });
    await server.stop();
    expect(fs.statSync(file).size).toBeLessThan(before / 100);
    server = await start({ port: 0, dbPath: dir });
    try {
      // The collection, its index, the document and the retry history of the driver's session.
      expect(server.replay?.changes).toBe(4);
      await withClient(server.uri, async (c) => {
        expect(await c.db('app').collection('counters').findOne({})).toEqual({
          _id: 'hits',
          name: 'hits',
          n: 1500,
        });
        const dup = await c
          .db('app')
          .collection('counters')
          .insertOne({ name: 'hits' })
          .catch((e: unknown) => e);
        expect((dup as MongoServerError).code).toBe(11000);
      });
    } finally {
      await server.stop();
    }
  });
});

describe('cli', () => {
  function launch(dbPath: string) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'devstack/mongo/cli.ts', '--port', '0', '--db-path', dbPath],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout });
    const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    return { child, firstLine, exited, lines };
  }

  it('prints one listening line, persists writes and exits cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const first = launch(dir);
    const extra: string[] = [];
    first.lines.on('line', (l) => extra.push(l));
    const line = await first.firstLine;
    expect(line).toMatch(/^listening mongodb:\/\/127\.0\.0\.1:\d+\/\?replicaSet=devstack$/);
    const uri = line.slice('listening '.length);
    await withClient(uri, (c) =>
      c
        .db('cli')
        .collection('c')
        .insertOne({ _id: 1, v: 'kept' } as never),
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(extra).toEqual([line]); // exactly one line on stdout

    const second = launch(dir);
    const uri2 = (await second.firstLine).slice('listening '.length);
    await withClient(uri2, async (c) =>
      expect(await c.db('cli').collection('c').findOne({})).toEqual({ _id: 1, v: 'kept' }),
    );
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});
