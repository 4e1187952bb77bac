/**
 * Rough throughput figures for the issue note: `node --import tsx devstack/mongo/bench.ts`.
 * Prints one JSON object. Numbers depend on the machine; they exist to show the order of magnitude.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { MongoClient, type ObjectId } from 'mongodb';
import { start } from './server.js';

const CONCURRENCY = 16;
const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const REPLAY_DOCS = 100_000;

async function run(ops: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ops) await fn(next++);
    }),
  );
  return Math.round(ops / ((performance.now() - t0) / 1000));
}

/** The server runs as its own process (as `cli.ts` does in the devstack) so it gets its own core. */
async function launch(dbPath?: string): Promise<{ uri: string; stop(): Promise<void> }> {
  const args = [
    '--import',
    'tsx',
    path.join(import.meta.dirname, 'cli.ts'),
    '--port',
    '0',
    ...(dbPath ? ['--db-path', dbPath] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    uri: line.replace(/^listening /, ''),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function throughput(dbPath?: string) {
  const server = await launch(dbPath);
  const client = new MongoClient(server.uri, { maxPoolSize: CONCURRENCY });
  try {
    const coll = client.db('bench').collection('docs');
    await run(500, (i) => coll.insertOne({ warm: i })); // warm the pool and JIT
    const ids: ObjectId[] = [];
    const insertOne = await run(OPS, async (i) => {
      const r = await coll.insertOne({ i, name: `doc-${i}`, tags: ['a', 'b'], at: new Date() });
      ids.push(r.insertedId);
    });
    const findOneById = await run(OPS, (i) => coll.findOne({ _id: ids[i % ids.length] }));
    if (!dbPath) return { insertOne, findOneById };
    // Acknowledged only once the journal is fsynced (see the README's Persistence).
    const majority = await run(OPS, (i) =>
      coll.insertOne({ i, name: `doc-${i}`, at: new Date() }, { writeConcern: { w: 'majority' } }),
    );
    return { insertOne, findOneById, majority };
  } finally {
    await client.close();
    await server.stop();
  }
}

async function replay() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-bench-'));
  try {
    const server = await start({ port: 0, dbPath: dir });
    const client = new MongoClient(server.uri);
    const coll = client.db('bench').collection('replay');
    for (let i = 0; i < REPLAY_DOCS; i += 1000) {
      await coll.insertMany(
        Array.from({ length: 1000 }, (_, j) => ({
          i: i + j,
          name: `doc-${i + j}`,
          tags: ['a', 'b'],
          at: new Date(),
        })),
      );
    }
    await client.close();
    await server.stop();
    const journalBytes = fs.statSync(path.join(dir, 'journal.bin')).size;
    const t0 = performance.now();
    const again = await start({ port: 0, dbPath: dir });
    const ms = performance.now() - t0;
    const changes = again.replay?.changes;
    await again.stop();
    return {
      docs: REPLAY_DOCS,
      changes,
      journalMB: +(journalBytes / 1048576).toFixed(1),
      replayMs: Math.round(ms),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const memory = await throughput();
const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-bench-j-'));
const journaled = await throughput(journalDir);
fs.rmSync(journalDir, { recursive: true, force: true });
const result = {
  node: process.version,
  cpus: os.cpus().length,
  concurrency: CONCURRENCY,
  opsPerMeasurement: OPS,
  inMemory: { insertOnePerSec: memory.insertOne, findOneByIdPerSec: memory.findOneById },
  withJournal: {
    insertOnePerSec: journaled.insertOne,
    findOneByIdPerSec: journaled.findOneById,
    insertOneMajorityPerSec: journaled.majority,
    majorityToW1: +((journaled.majority ?? 0) / journaled.insertOne).toFixed(3),
  },
  journalReplay: await replay(),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
