import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CLUSTER_SHARDS, formCluster, type ClusterNodeRecord } from '../cluster';
import type { FaultRequest, FaultResult } from '../control';
import { LinkProxy } from '../link-proxy';
import { startMongo, type MongoHandle } from '../mongo-tier';
import { freePorts } from '../ports';
import {
  logTail,
  redisInfo,
  sleep,
  spawnRedis,
  waitForRedis,
  type RedisSpec,
} from '../redis-process';
import { collectStatus, type StackStatus } from '../status';
import {
  envRecord,
  files,
  formatEnv,
  probeAccess,
  readJson,
  writeFileAtomic,
  writeState,
  type StackConfig,
  type StackState,
} from '../state';
import { makeCertificates, type TlsFiles } from '../tls';
import { applyFault } from './faults';

export interface ManagedRedis {
  region: string;
  role: 'primary' | 'replica';
  spec: RedisSpec;
  child: ChildProcess | null;
}

/** Ports of the last run, reused when free so a restarted stack keeps its endpoints. */
interface PortMemory {
  primary?: number;
  access?: Record<string, number>;
  replicas?: Record<string, { port: number; proxyPort: number }>;
  mongo?: number;
}

export type Log = (message: string) => void;

/**
 * Everything one stack runs: the redis-server children, the link proxies and the MongoDB tier.
 * It records what it started in `<dir>/state.json` as it goes, so `down` can clean up even if
 * the supervisor is SIGKILLed.
 */
export class StackSupervisor {
  readonly state: StackState;
  /** The certificate files of a stack run over TLS, made at start. */
  private tls: TlsFiles | undefined;
  private readonly redis = new Map<string, ManagedRedis>();
  private readonly proxies = new Map<string, LinkProxy>();
  private mongo: MongoHandle | null = null;
  private mongoPending: Promise<MongoHandle | null> | null = null;
  private stopping = false;

  constructor(
    readonly dir: string,
    private readonly config: StackConfig,
    private readonly log: Log,
  ) {
    this.state = {
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
  }

  /** Writes state.json, and the env file once the stack is ready. */
  save(): void {
    writeState(this.state);
    if (this.state.phase === 'ready')
      writeFileAtomic(files.env(this.dir), formatEnv(envRecord(this.state)));
  }

  status(): Promise<StackStatus> {
    return collectStatus(
      this.state,
      [...this.proxies.values()].map((p) => p.status()),
    );
  }

  fault(request: FaultRequest): Promise<FaultResult> {
    return applyFault(
      {
        state: this.state,
        redis: this.redis,
        proxies: this.proxies,
        restart: (m) => this.startRedis(m),
        applied: ({ region, action, message }) => {
          this.log(`fault ${region} ${action}: ${message}`);
          this.save();
        },
      },
      request,
    );
  }

  /** Starts every server, waits for the replication links and marks the stack ready. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (this.config.tls) this.tls = makeCertificates(this.dir);
    const memory = readJson<PortMemory>(path.join(this.dir, 'ports.json')) ?? {};
    if (this.config.cluster) return this.startCluster(memory);
    const ports = await this.allocatePorts(memory);
    const mongoStart = this.startMongoTier(memory);

    const primary = await this.startPrimary(ports(0));
    await this.startAccessLinks(primary.spec.port, memory);
    await Promise.all(
      this.config.regions.map((region, i) =>
        this.startReplica(region, primary.spec.port, ports(1 + i * 2), ports(2 + i * 2)),
      ),
    );
    // Keep the configured order (the env lists replicas as configured, whatever finished first).
    const order = (region: string) => this.config.regions.findIndex((r) => r.name === region);
    this.state.replicas.sort((a, b) => order(a.region) - order(b.region));
    this.save();

    this.mongo = await mongoStart;
    if (this.mongo) {
      const { tier, uri, pid, port } = this.mongo;
      this.state.mongo = { tier, uri, pid, port };
      this.log(`mongo tier ${tier}: ${uri}`);
      this.save();
    }

    await this.waitForLinks(30_000);
    this.rememberPorts(primary.spec.port);
    this.state.phase = 'ready';
    this.save();
    this.log('ready');
  }

  /**
   * A cluster stack (cluster.ts): three masters in the primary region and one replica per
   * master in every replica region, formed into one cluster. Fresh on every start.
   */
  private async startCluster(memory: PortMemory): Promise<void> {
    const mongoStart = this.startMongoTier(memory);
    const regions = [
      { region: this.config.primaryRegion, role: 'primary' as const },
      ...this.config.regions.map((r) => ({ region: r.name, role: 'replica' as const })),
    ];
    const layout = regions.flatMap(({ region, role }) =>
      Array.from({ length: CLUSTER_SHARDS }, (_, shard) => ({ region, role, shard })),
    );
    const ports = await freePorts(layout.length * 2);
    const nodes: ClusterNodeRecord[] = layout.map((n, i) => ({
      ...n,
      port: ports[i * 2] ?? 0,
      busPort: ports[i * 2 + 1] ?? 0,
      pid: null,
    }));
    this.state.cluster = nodes;
    await Promise.all(
      nodes.map(async (node) => {
        const name = `${node.region}-${node.shard}`;
        const dir = path.join(this.dir, 'redis', name);
        rmSync(dir, { recursive: true, force: true });
        const m: ManagedRedis = {
          region: name,
          role: node.role,
          spec: {
            name,
            port: node.port,
            dir,
            credentials: this.config.credentials,
            cluster: { busPort: node.busPort },
          },
          child: null,
        };
        this.redis.set(name, m);
        await this.startRedis(m);
        node.pid = m.child?.pid ?? null;
      }),
    );
    const first = nodes[0];
    if (first) this.state.primary = { region: first.region, port: first.port, pid: first.pid };
    this.save();
    await formCluster(nodes, probeAccess(this.state));
    this.log(
      `cluster: ${CLUSTER_SHARDS} shards in ${regions.map((r) => r.region).join(', ')} on ${nodes.map((n) => n.port).join(' ')}`,
    );
    this.mongo = await mongoStart;
    if (this.mongo) {
      const { tier, uri, pid, port } = this.mongo;
      this.state.mongo = { tier, uri, pid, port };
    }
    this.state.phase = 'ready';
    this.save();
    this.log('ready');
  }

  /** Stops the proxies, every redis-server and the Mongo tier (even one still starting). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    // Proxies first: a replica with no link lets the primary shut down without waiting for it.
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    const children = [...this.redis.values()].flatMap((m) => (m.child ? [m.child] : []));
    const pendingMongo = this.mongo
      ? Promise.resolve(this.mongo)
      : (this.mongoPending ?? Promise.resolve(null)).catch(() => null);
    await Promise.all([
      ...children.map(stopChild),
      // A Mongo tier still starting is awaited, so it is stopped rather than orphaned.
      pendingMongo
        .then((handle) => handle?.stop())
        .catch((error: Error) => this.log(`mongo stop: ${error.message}`)),
    ]);
  }

  /** Free ports for the primary and each replica and its proxy, the last run's where free. */
  private async allocatePorts(memory: PortMemory): Promise<(i: number) => number> {
    const preferred = [
      memory.primary,
      ...this.config.regions.flatMap((r) => [
        memory.replicas?.[r.name]?.port,
        memory.replicas?.[r.name]?.proxyPort,
      ]),
    ];
    const ports = await freePorts(1 + this.config.regions.length * 2, preferred);
    return (i) => {
      const port = ports[i];
      if (port === undefined) throw new Error('port allocation came up short');
      return port;
    };
  }

  private startMongoTier(memory: PortMemory): Promise<MongoHandle | null> {
    const started =
      this.config.mongo === 'off'
        ? Promise.resolve(null)
        : startMongo({
            dir: this.dir,
            externalUri: this.config.mongoUri,
            preferredPort: memory.mongo,
            log: this.log,
          });
    // Surface a Mongo failure only after Redis is handled, without an unhandled rejection meanwhile.
    started.catch(() => undefined);
    this.mongoPending = started;
    return started;
  }

  private async startPrimary(port: number): Promise<ManagedRedis> {
    const region = this.config.primaryRegion;
    const primary: ManagedRedis = {
      region,
      role: 'primary',
      spec: {
        name: region,
        port,
        dir: path.join(this.dir, 'redis', region),
        credentials: this.config.credentials,
        ...(this.tls && { tls: this.tls }),
      },
      child: null,
    };
    this.redis.set(region, primary);
    this.state.primary = { region, port, pid: null };
    await this.startRedisOnFreePort(primary);
    this.state.primary.port = primary.spec.port;
    this.log(`primary ${region} redis on :${primary.spec.port}`);
    return primary;
  }

  private async startReplica(
    region: StackConfig['regions'][number],
    primaryPort: number,
    port: number,
    proxyListenPort: number,
  ): Promise<void> {
    const options = { name: region.name, targetPort: primaryPort, delayMs: region.delayMs };
    let proxy = new LinkProxy({ ...options, listenPort: proxyListenPort });
    const proxyPort = await proxy.listen().catch(() => {
      proxy = new LinkProxy(options); // the probed port was taken meanwhile
      return proxy.listen();
    });
    this.proxies.set(region.name, proxy);
    const m: ManagedRedis = {
      region: region.name,
      role: 'replica',
      spec: {
        name: region.name,
        port,
        dir: path.join(this.dir, 'redis', region.name),
        replicaOf: { host: '127.0.0.1', port: proxyPort },
        credentials: this.config.credentials,
        ...(this.tls && { tls: this.tls }),
      },
      child: null,
    };
    this.redis.set(region.name, m);
    const record = {
      region: region.name,
      port,
      pid: null,
      proxyPort,
      delayMs: region.delayMs,
      partitioned: false,
    };
    this.state.replicas.push(record);
    await this.startRedisOnFreePort(m);
    record.port = m.spec.port;
    this.log(
      `replica ${region.name} redis on :${m.spec.port}, link via proxy :${proxyPort} (+${region.delayMs} ms)`,
    );
  }

  /**
   * One link proxy per access region in front of the primary, delaying what the primary sends by
   * the region's distance: services there read (and report) through it, so the distance is real.
   */
  private async startAccessLinks(primaryPort: number, memory: PortMemory): Promise<void> {
    const access = this.config.access ?? [];
    if (access.length === 0) return;
    this.state.access = [];
    for (const region of access) {
      const options = { name: region.name, targetPort: primaryPort, delayMs: region.delayMs };
      let proxy = new LinkProxy({ ...options, listenPort: memory.access?.[region.name] ?? 0 });
      const proxyPort = await proxy.listen().catch(() => {
        proxy = new LinkProxy(options); // the remembered port is taken: any free one
        return proxy.listen();
      });
      this.proxies.set(region.name, proxy);
      const { delayMs } = region;
      this.state.access.push({ region: region.name, proxyPort, delayMs, partitioned: false });
      this.log(`access from ${region.name} via proxy :${proxyPort} (+${delayMs} ms)`);
    }
    this.save();
  }

  private rememberPorts(primaryPort: number): void {
    const memory: PortMemory = {
      primary: primaryPort,
      replicas: Object.fromEntries(
        this.state.replicas.map((r) => [r.region, { port: r.port, proxyPort: r.proxyPort }]),
      ),
      ...(this.mongo?.port ? { mongo: this.mongo.port } : {}),
      ...(this.state.access?.length && {
        access: Object.fromEntries(this.state.access.map((a) => [a.region, a.proxyPort])),
      }),
    };
    writeFileAtomic(path.join(this.dir, 'ports.json'), `${JSON.stringify(memory)}\n`);
  }

  private recordPid(m: ManagedRedis): void {
    const pid = m.child?.pid ?? null;
    const node = this.state.cluster?.find((n) => `${n.region}-${n.shard}` === m.region);
    if (node) {
      node.pid = pid;
      this.save();
      return;
    }
    if (m.role === 'primary' && this.state.primary) this.state.primary.pid = pid;
    const replica = this.state.replicas.find((r) => r.region === m.region);
    if (m.role === 'replica' && replica) replica.pid = pid;
    this.save();
  }

  private async startRedis(m: ManagedRedis): Promise<void> {
    // A `down` during start must not race a spawn that nobody would stop.
    if (this.stopping) throw new Error('the stack is stopping');
    const child = spawnRedis(m.spec);
    m.child = child;
    child.on('error', (error) => this.log(`${m.region}: spawn error ${error.message}`));
    child.once('exit', (code, signal) => {
      if (m.child === child && !this.stopping) {
        this.log(
          `${m.region} redis-server (pid ${child.pid}) exited: code ${code}, signal ${signal}; ${logTail(m.spec, 2)}`,
        );
        m.child = null;
        this.recordPid(m);
      }
    });
    this.recordPid(m);
    await waitForRedis(child, m.spec);
  }

  /** Initial start only: if another process grabbed the port since we probed it, take a fresh one. */
  private async startRedisOnFreePort(m: ManagedRedis): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.startRedis(m);
        return;
      } catch (error) {
        const inUse = /already in use|Address in use/i.test(logTail(m.spec, 3));
        if (!inUse || attempt >= 3) throw error;
        const [port] = await freePorts(1);
        this.log(`${m.region}: port ${m.spec.port} was taken, retrying on ${port}`);
        m.spec = { ...m.spec, port: port ?? 0 };
      }
    }
  }

  private async waitForLinks(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const down: string[] = [];
      for (const replica of this.state.replicas) {
        const info = await redisInfo(replica.port, probeAccess(this.state)).catch(() => undefined);
        if (info?.master_link_status !== 'up')
          down.push(`${replica.region} (${info?.master_link_status ?? 'unreachable'})`);
      }
      if (down.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`replication links not up after ${timeoutMs} ms: ${down.join(', ')}`);
      await sleep(100);
    }
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
