import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
} from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DEVSTACK_REPLICA_SET } from './mongo/replica-set';
import { freePort } from './ports';
import { REPO_ROOT, type MongoTierName } from './state';

export const WIRE_SERVER_CLI = path.join(REPO_ROOT, 'devstack', 'mongo', 'cli.ts');

export interface MongoHandle {
  tier: MongoTierName;
  uri: string;
  pid: number | null;
  port: number | null;
  stop(): Promise<void>;
}

export interface MongoTierOptions {
  /** Stack directory; data and logs go below it so demo data survives restarts. */
  dir: string;
  externalUri?: string;
  preferredPort?: number;
  log?: (line: string) => void;
}

/**
 * Picks the MongoDB tier in order: an external MONGODB_URI, a real `mongod` on PATH, then the
 * project's wire-protocol server. `mongodb-memory-server` is only used with a system binary: it
 * cannot download one offline.
 */
export async function startMongo(options: MongoTierOptions): Promise<MongoHandle> {
  const log = options.log ?? (() => undefined);
  if (options.externalUri) {
    // `up` pings it from the caller's process; the supervisor stays free of the driver.
    log('mongo tier: external (MONGODB_URI passed through)');
    return {
      tier: 'external',
      uri: options.externalUri,
      pid: null,
      port: null,
      stop: () => Promise.resolve(),
    };
  }
  const mongod = findOnPath('mongod');
  if (mongod) {
    log(`mongo tier: mongod (${mongod}) via mongodb-memory-server`);
    return startMongod(mongod, options);
  }
  if (existsSync(WIRE_SERVER_CLI)) {
    log('mongo tier: wire-server (devstack/mongo/cli.ts)');
    return startWireServer(options);
  }
  throw new Error(
    'no MongoDB available: MONGODB_URI is not set, no `mongod` on PATH, and the project wire server ' +
      `(${path.relative(REPO_ROOT, WIRE_SERVER_CLI)}) does not exist yet. Start without Mongo with --no-mongo / { mongo: false }.`,
  );
}

export function findOnPath(binary: string): string | undefined {
  for (const entry of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!entry) continue;
    const candidate = path.join(entry, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Connecting performs the handshake and server selection: enough to know the server answers. */
export async function pingMongo(uri: string, timeoutMs = 5000): Promise<void> {
  // Loaded on demand: the driver would add ~15 MB to a supervisor that only pings once.
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`MongoDB at ${uri} does not answer: ${(error as Error).message}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function startMongod(systemBinary: string, options: MongoTierOptions): Promise<MongoHandle> {
  // Imported lazily: the package is heavy and only this tier needs it.
  const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const dbPath = path.join(options.dir, 'mongod-data');
  mkdirSync(dbPath, { recursive: true });
  const port = await freePort(options.preferredPort);
  const replSet = await MongoMemoryReplSet.create({
    binary: { systemBinary },
    replSet: { name: DEVSTACK_REPLICA_SET, count: 1, storageEngine: 'wiredTiger' },
    instanceOpts: [{ port, dbPath, storageEngine: 'wiredTiger' }],
  });
  const pid = replSet.servers[0]?.instanceInfo?.instance.mongodProcess?.pid ?? null;
  return {
    tier: 'mongod',
    // Discovered as a replica set, as production is, not addressed directly.
    uri: `mongodb://127.0.0.1:${port}/?replicaSet=${DEVSTACK_REPLICA_SET}`,
    pid,
    port,
    stop: async () => {
      // Keep dbPath: demo data should survive a restart of the stack.
      await replSet.stop({ doCleanup: false });
    },
  };
}

const READY_LINE = /^listening (mongodb:\/\/\S+)/;

async function startWireServer(options: MongoTierOptions): Promise<MongoHandle> {
  const dbPath = path.join(options.dir, 'mongo-data');
  mkdirSync(dbPath, { recursive: true });
  const logFile = path.join(options.dir, 'mongo.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const port = await freePort(options.preferredPort);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WIRE_SERVER_CLI, '--port', String(port), '--db-path', dbPath],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Both pipes are drained for the child's whole life, or a chatty server would block on a full pipe.
  child.stderr.pipe(logStream);
  child.on('error', (error) => logStream.write(`spawn error: ${error.message}\n`));
  const lines = createInterface({ input: child.stdout });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the MongoDB wire server did not print its "listening" line within 30 s (log: ${logFile})`,
        ),
      );
    }, 30_000);
    lines.on('line', (line) => {
      logStream.write(`${line}\n`);
      const match = READY_LINE.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the MongoDB wire server exited before it was ready (code ${code}, signal ${signal}): ${tail(logFile)}`,
        ),
      );
    });
  });
  return {
    tier: 'wire-server',
    uri,
    pid: child.pid ?? null,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          logStream.end();
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}
