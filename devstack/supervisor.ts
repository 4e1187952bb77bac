/**
 * Runs detached (`node --import tsx devstack/supervisor.ts <dir>`) and owns everything of one stack:
 * the redis-server children, the link proxies, the MongoDB tier and a control HTTP server for
 * faults and status. It records what it started in `<dir>/state.json` as it goes, so `down` can
 * clean up even if this process is SIGKILLed.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FAULT_ACTIONS, TOKEN_HEADER, type FaultRequest, type FaultResult } from './control';
import { LinkProxy } from './link-proxy';
import { startMongo, type MongoHandle } from './mongo-tier';
import { freePorts } from './ports';
import {
  logTail,
  redisInfo,
  sleep,
  spawnRedis,
  waitForRedis,
  type RedisSpec,
} from './redis-process';
import { collectStatus } from './status';
import {
  envRecord,
  files,
  formatEnv,
  readJson,
  removeRunFiles,
  writeFileAtomic,
  writeState,
  type StackConfig,
  type StackState,
} from './state';

interface ManagedRedis {
  region: string;
  role: 'primary' | 'replica';
  spec: RedisSpec;
  child: ChildProcess | null;
}

/** Ports of the last run, reused when free so a restarted stack keeps its endpoints. */
interface PortMemory {
  primary?: number;
  replicas?: Record<string, { port: number; proxyPort: number }>;
  mongo?: number;
}

const log = (message: string): void => console.log(`${new Date().toISOString()} ${message}`);

const dir = path.resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
  console.error('usage: supervisor.ts <stack dir>');
  process.exit(2);
}
const config = readJson<StackConfig>(files.config(dir));
if (!config) {
  console.error(`no readable ${files.config(dir)}`);
  process.exit(2);
}

const state: StackState = {
  dir,
  phase: 'starting',
  startedAt: new Date().toISOString(),
  supervisorPid: process.pid,
  controlPort: null,
  token: randomBytes(16).toString('hex'),
  config,
  primary: null,
  replicas: [],
  mongo: null,
};
const redis = new Map<string, ManagedRedis>();
const proxies = new Map<string, LinkProxy>();
let mongo: MongoHandle | null = null;
let mongoPending: Promise<MongoHandle | null> | null = null;
let stopping = false;

function save(): void {
  writeState(state);
  if (state.phase === 'ready') writeFileAtomic(files.env(dir), formatEnv(envRecord(state)));
}

function recordPid(m: ManagedRedis): void {
  const pid = m.child?.pid ?? null;
  if (m.role === 'primary' && state.primary) state.primary.pid = pid;
  const replica = state.replicas.find((r) => r.region === m.region);
  if (m.role === 'replica' && replica) replica.pid = pid;
  save();
}

async function startRedis(m: ManagedRedis): Promise<void> {
  // A `down` during start must not race a spawn that nobody would stop.
  if (stopping) throw new Error('the stack is stopping');
  const child = spawnRedis(m.spec);
  m.child = child;
  child.on('error', (error) => log(`${m.region}: spawn error ${error.message}`));
  child.once('exit', (code, signal) => {
    if (m.child === child && !stopping) {
      log(
        `${m.region} redis-server (pid ${child.pid}) exited: code ${code}, signal ${signal}; ${logTail(m.spec, 2)}`,
      );
      m.child = null;
      recordPid(m);
    }
  });
  recordPid(m);
  await waitForRedis(child, m.spec);
}

/** Initial start only: if another process grabbed the port since we probed it, take a fresh one. */
async function startRedisOnFreePort(m: ManagedRedis): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await startRedis(m);
      return;
    } catch (error) {
      const inUse = /already in use|Address in use/i.test(logTail(m.spec, 3));
      if (!inUse || attempt >= 3) throw error;
      const [port] = await freePorts(1);
      log(`${m.region}: port ${m.spec.port} was taken, retrying on ${port}`);
      m.spec = { ...m.spec, port: port ?? 0 };
    }
  }
}

async function waitForLinks(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const down: string[] = [];
    for (const replica of state.replicas) {
      const info = await redisInfo(replica.port).catch(() => undefined);
      if (info?.master_link_status !== 'up')
        down.push(`${replica.region} (${info?.master_link_status ?? 'unreachable'})`);
    }
    if (down.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`replication links not up after ${timeoutMs} ms: ${down.join(', ')}`);
    await sleep(100);
  }
}

async function start(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const memory = readJson<PortMemory>(path.join(dir, 'ports.json')) ?? {};
  const regions = config!.regions;
  const preferred = [
    memory.primary,
    ...regions.flatMap((r) => [
      memory.replicas?.[r.name]?.port,
      memory.replicas?.[r.name]?.proxyPort,
    ]),
  ];
  const ports = await freePorts(1 + regions.length * 2, preferred);
  const portAt = (i: number): number => {
    const port = ports[i];
    if (port === undefined) throw new Error('port allocation came up short');
    return port;
  };

  const primary: ManagedRedis = {
    region: config!.primaryRegion,
    role: 'primary',
    spec: {
      name: config!.primaryRegion,
      port: portAt(0),
      dir: path.join(dir, 'redis', config!.primaryRegion),
    },
    child: null,
  };
  redis.set(primary.region, primary);
  state.primary = { region: primary.region, port: primary.spec.port, pid: null };
  const mongoStart =
    config!.mongo === 'off'
      ? Promise.resolve(null)
      : startMongo({ dir, externalUri: config!.mongoUri, preferredPort: memory.mongo, log });
  // Surface a Mongo failure only after Redis is handled, without an unhandled rejection meanwhile.
  mongoStart.catch(() => undefined);
  mongoPending = mongoStart;

  await startRedisOnFreePort(primary);
  state.primary.port = primary.spec.port;
  log(`primary ${primary.region} redis on :${primary.spec.port}`);

  await Promise.all(
    regions.map(async (region, i) => {
      const options = { name: region.name, targetPort: primary.spec.port, delayMs: region.delayMs };
      let proxy = new LinkProxy({ ...options, listenPort: portAt(2 + i * 2) });
      const proxyPort = await proxy.listen().catch(() => {
        proxy = new LinkProxy(options); // the probed port was taken meanwhile
        return proxy.listen();
      });
      proxies.set(region.name, proxy);
      const m: ManagedRedis = {
        region: region.name,
        role: 'replica',
        spec: {
          name: region.name,
          port: portAt(1 + i * 2),
          dir: path.join(dir, 'redis', region.name),
          replicaOf: { host: '127.0.0.1', port: proxyPort },
        },
        child: null,
      };
      redis.set(region.name, m);
      state.replicas.push({
        region: region.name,
        port: m.spec.port,
        pid: null,
        proxyPort,
        delayMs: region.delayMs,
        partitioned: false,
      });
      await startRedisOnFreePort(m);
      const record = state.replicas.find((r) => r.region === region.name);
      if (record) record.port = m.spec.port;
      log(
        `replica ${region.name} redis on :${m.spec.port}, link via proxy :${proxyPort} (+${region.delayMs} ms)`,
      );
    }),
  );
  // Keep the configured order (the env lists replicas as configured, whatever finished first).
  state.replicas.sort(
    (a, b) =>
      regions.findIndex((r) => r.name === a.region) - regions.findIndex((r) => r.name === b.region),
  );
  save();

  mongo = await mongoStart;
  if (mongo) {
    state.mongo = { tier: mongo.tier, uri: mongo.uri, pid: mongo.pid, port: mongo.port };
    log(`mongo tier ${mongo.tier}: ${mongo.uri}`);
    save();
  }

  await waitForLinks(30_000);
  const nextMemory: PortMemory = {
    primary: primary.spec.port,
    replicas: Object.fromEntries(
      state.replicas.map((r) => [r.region, { port: r.port, proxyPort: r.proxyPort }]),
    ),
    ...(mongo?.port ? { mongo: mongo.port } : {}),
  };
  writeFileAtomic(path.join(dir, 'ports.json'), `${JSON.stringify(nextMemory)}\n`);
  state.phase = 'ready';
  save();
  log('ready');
}

async function fault(request: FaultRequest): Promise<FaultResult> {
  const { region, action } = request;
  if (!FAULT_ACTIONS.includes(action))
    throw new Error(`unknown action ${String(action)}; use ${FAULT_ACTIONS.join(', ')}`);
  const m = redis.get(region);
  if (!m)
    throw new Error(`unknown region ${region}; this stack has ${[...redis.keys()].join(', ')}`);
  const proxy = proxies.get(region);
  const record = state.replicas.find((r) => r.region === region);
  const done = (message: string): FaultResult => {
    log(`fault ${region} ${action}: ${message}`);
    save();
    return { region, action, message };
  };
  switch (action) {
    case 'latency': {
      if (!proxy || !record)
        throw new Error(`${region} is the primary: latency applies to a replica's link`);
      const ms = Number(request.ms);
      proxy.setDelay(ms);
      record.delayMs = ms;
      return done(`primary→replica delay now ${ms} ms`);
    }
    case 'partition':
    case 'heal': {
      if (!proxy || !record)
        throw new Error(`${region} is the primary: ${action} applies to a replica's link`);
      if (action === 'partition') proxy.partition();
      else proxy.heal();
      record.partitioned = proxy.partitioned;
      return done(
        action === 'partition'
          ? 'link held (nothing forwarded, nothing dropped)'
          : 'link forwarding again',
      );
    }
    case 'kill': {
      const child = m.child;
      if (!child || child.exitCode !== null || child.signalCode !== null)
        return done('already not running');
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
      return done(`redis-server pid ${child.pid} killed (SIGKILL)`);
    }
    case 'revive': {
      if (m.child && m.child.exitCode === null && m.child.signalCode === null)
        return done(`already running (pid ${m.child.pid})`);
      await startRedis(m);
      return done(`redis-server started again on :${m.spec.port} (pid ${m.child?.pid})`);
    }
  }
}

async function stopAll(): Promise<void> {
  stopping = true;
  // Proxies first: a replica with no link lets the primary shut down without waiting for it.
  await Promise.all([...proxies.values()].map((p) => p.close()));
  const children = [...redis.values()].flatMap((m) => (m.child ? [m.child] : []));
  await Promise.all([
    ...children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
    // A Mongo tier still starting is awaited, so it is stopped rather than orphaned.
    (mongo ? Promise.resolve(mongo) : (mongoPending ?? Promise.resolve(null)).catch(() => null))
      .then((handle) => handle?.stop())
      .catch((error: Error) => log(`mongo stop: ${error.message}`)),
  ]);
}

let shuttingDown = false;
async function shutdown(reason: string, code = 0): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`stopping (${reason})`);
  if (state.phase !== 'failed') state.phase = 'stopping';
  save();
  await stopAll();
  control.close();
  // A failed start keeps state.json so `up` can report why; a clean stop leaves no run files.
  if (code === 0) removeRunFiles(dir);
  log('stopped');
  process.exit(code);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const control = http.createServer((req, res) => {
  const reply = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.headers[TOKEN_HEADER] !== state.token)
    return reply(403, { error: 'bad or missing token' });
  const handle = async (): Promise<void> => {
    if (req.method === 'GET' && req.url === '/status') {
      return reply(
        200,
        await collectStatus(
          state,
          [...proxies.values()].map((p) => p.status()),
        ),
      );
    }
    if (req.method === 'POST' && req.url === '/fault') {
      return reply(200, await fault(JSON.parse(await readBody(req)) as FaultRequest));
    }
    if (req.method === 'POST' && req.url === '/shutdown') {
      reply(202, { message: 'stopping' });
      void shutdown('shutdown requested');
      return;
    }
    reply(404, { error: `no route ${req.method} ${req.url}` });
  };
  handle().catch((error: Error) => reply(400, { error: error.message }));
});

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('uncaughtException', (error) => {
  log(`uncaught: ${error.stack ?? error.message}`);
  state.phase = 'failed';
  state.error = error.message;
  void shutdown('uncaught exception', 1);
});

control.listen({ port: 0, host: '127.0.0.1' }, () => {
  const address = control.address();
  if (address && typeof address !== 'string') state.controlPort = address.port;
  save();
  log(`supervisor pid ${process.pid}, control :${state.controlPort}, dir ${dir}`);
  start().catch((error: Error) => {
    log(`start failed: ${error.stack ?? error.message}`);
    state.phase = 'failed';
    state.error = error.message;
    void shutdown('start failed', 1);
  });
});
