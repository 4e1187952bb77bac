import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FaultRequest, FaultResult } from '../control';
import { listenLinkProxy, type LinkProxy } from '../link-proxy';
import { startMongo, type MongoHandle } from '../mongo-tier';
import type { MasterLinkProxy } from '../master-link-proxy';
import { freePorts } from '../ports';
import {
  logTail,
  redisInfo,
  sleep,
  spawnRedis,
  stopChild,
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
import { applyClusterFault, clusterLinkStatus } from './cluster-faults';
import { managedName, startClusterNodes } from './cluster-nodes';
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
  /** A cluster stack's link proxies, one in front of each master. */
  private masterProxies: MasterLinkProxy[] = [];
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
      clusterLinkStatus(this.masterProxies),
    );
  }

  fault(request: FaultRequest): Promise<FaultResult> {
    const applied = ({ region, action, message }: FaultResult): void => {
      this.log(`fault ${region} ${action}: ${message}`);
      this.save();
    };
    if (this.state.cluster)
      return applyClusterFault(
        {
          nodes: this.state.cluster,
          redis: this.redis,
          proxies: this.masterProxies,
          restart: (m) => this.startRedis(m),
          applied,
        },
        request,
      );
    return applyFault(
      {
        state: this.state,
        redis: this.redis,
        proxies: this.proxies,
        restart: (m) => this.startRedis(m),
        applied,
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

    await this.recordMongo(mongoStart);
    await this.waitForLinks(30_000);
    this.rememberPorts(primary.spec.port);
    this.state.phase = 'ready';
    this.save();
    this.log('ready');
  }

  /** A cluster stack (supervisor/cluster-nodes.ts): fresh on every start. */
  private async startCluster(memory: PortMemory): Promise<void> {
    const mongoStart = this.startMongoTier(memory);
    this.masterProxies = await startClusterNodes({
      dir: this.dir,
      config: this.config,
      state: this.state,
      tls: this.tls,
      redis: this.redis,
      startRedis: (m) => this.startRedis(m),
      save: () => this.save(),
      log: this.log,
    });
    await this.recordMongo(mongoStart);
    this.state.phase = 'ready';
    this.save();
    this.log('ready');
  }

  /** Stops the proxies, every redis-server and the Mongo tier (even one still starting). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    // Proxies first: a replica with no link lets the primary shut down without waiting for it.
    await Promise.all([...this.proxies.values(), ...this.masterProxies].map((p) => p.close()));
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

  private async recordMongo(started: Promise<MongoHandle | null>): Promise<void> {
    this.mongo = await started;
    if (!this.mongo) return;
    const { tier, uri, pid, port } = this.mongo;
    this.state.mongo = { tier, uri, pid, port };
    this.log(`mongo tier ${tier}: ${uri}`);
    this.save();
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
    const proxy = await listenLinkProxy(options, proxyListenPort);
    const proxyPort = proxy.port;
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
      const proxy = await listenLinkProxy(options, memory.access?.[region.name]);
      const proxyPort = proxy.port;
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
    const node = this.state.cluster?.find((n) => managedName(n) === m.region);
    const replica = this.state.replicas.find((r) => r.region === m.region);
    if (node) node.pid = pid;
    else if (m.role === 'primary' && this.state.primary) this.state.primary.pid = pid;
    else if (m.role === 'replica' && replica) replica.pid = pid;
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
