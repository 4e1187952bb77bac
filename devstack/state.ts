import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialsEnv, type RedisCredentials } from './acl';
import { clusterDeclaration, type ClusterNodeRecord } from './cluster';
import type { ProbeAccess } from './redis-process';
import { TLS_SERVERNAME, tlsFiles } from './tls';

/** Files a stack keeps in its directory; `up`, `down`, `status` and the supervisor share them. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where a stack lives unless `--dir` or PROPAGATE_DEVSTACK_DIR says otherwise: the dev one. */
export const DEFAULT_STACK_DIR = path.join(REPO_ROOT, '.devstack');
/** The stack integration and e2e tests start (or reuse), apart from the one a developer uses. */
export const TEST_STACK_DIR = path.join(REPO_ROOT, '.devstack-test');
/** The stack `npm run bench` starts, so benchmarks never share one with anything else. */
export const BENCH_STACK_DIR = path.join(REPO_ROOT, '.devstack-bench');

/** PROPAGATE_DEVSTACK_DIR when set, else `fallback`. */
export function chosenStackDir(fallback = DEFAULT_STACK_DIR): string {
  return process.env.PROPAGATE_DEVSTACK_DIR ?? fallback;
}

export const files = {
  config: (dir: string) => path.join(dir, 'config.json'),
  state: (dir: string) => path.join(dir, 'state.json'),
  env: (dir: string) => path.join(dir, 'env'),
  supervisorLog: (dir: string) => path.join(dir, 'supervisor.log'),
  /** Written by `up` right after spawning, so `down` finds a supervisor that has not written state yet. */
  supervisorPid: (dir: string) => path.join(dir, 'supervisor.pid'),
};

export interface RegionSpec {
  name: string;
  delayMs: number;
}

export type MongoMode = 'auto' | 'off';

/** What `up` asked for; written before the supervisor starts, read by it. */
export interface StackConfig {
  primaryRegion: string;
  regions: RegionSpec[];
  /**
   * Regions with no replica whose services reach the primary from afar: each gets a link proxy
   * in front of the primary with its one-way delay (a single-region provider seen from abroad).
   */
  access?: RegionSpec[];
  mongo: MongoMode;
  /** Passed through as-is when the caller had MONGODB_URI set. */
  mongoUri?: string;
  /** The Redis ACL users (acl.ts); extra deployments of one stack share them. */
  credentials: RedisCredentials;
  /** Every server listens with TLS only, with a certificate from a CA made at start (tls.ts). */
  tls?: boolean;
  /** The cache is a Redis Cluster of three shards (cluster.ts) instead of one primary. */
  cluster?: boolean;
  /**
   * The key (base64, 32 bytes) that seals secrets in the cache entries, random per stack: the
   * env file hands it to the app (CACHE_SECRET_KEYS, CACHE_SECRET_KEY_ID) and to the services.
   */
  cacheSecretKey: string;
}

/** The key id the devstack's one cache secret key goes by. */
export const DEVSTACK_SECRET_KEY_ID = 'devstack-1';

/** How the devstack's own probes reach the servers of a stack: its admin, and TLS if it runs so. */
export function probeAccess(state: Pick<StackState, 'dir' | 'config'>): ProbeAccess {
  return {
    ...state.config.credentials.admin,
    ...(state.config.tls && { caFile: tlsFiles(state.dir).ca }),
  };
}

export type MongoTierName = 'external' | 'mongod' | 'wire-server';

export interface ProcessRecord {
  pid: number | null;
  port: number;
}

export interface ReplicaRecord extends ProcessRecord {
  region: string;
  proxyPort: number;
  delayMs: number;
  partitioned: boolean;
}

export interface AccessRecord {
  region: string;
  proxyPort: number;
  delayMs: number;
  partitioned: boolean;
}

/** What the supervisor started; enough for `down` to clean up even after the supervisor died. */
export interface StackState {
  dir: string;
  phase: 'starting' | 'ready' | 'failed' | 'stopping';
  error?: string;
  startedAt: string;
  supervisorPid: number;
  controlPort: number | null;
  /** Shared secret for the control server, so only someone who can read this dir can inject faults. */
  token: string;
  config: StackConfig;
  primary: (ProcessRecord & { region: string }) | null;
  replicas: ReplicaRecord[];
  /** The access links of `config.access`: the port a service in that region connects to. */
  access?: AccessRecord[];
  /** A cluster stack's nodes, every region's (`primary` is then the first master). */
  cluster?: ClusterNodeRecord[];
  mongo: { tier: MongoTierName; uri: string; pid: number | null; port: number | null } | null;
}

export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // half-written or corrupt files are treated as absent
  }
}

/** The last `count` lines of a log file, for an error message; null while there is none. */
export function lastLines(file: string, count: number): string[] | null {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-count);
  } catch {
    return null;
  }
}

/** The ACL users of the stack in `dir` (its config.json), for a deployment started beside it. */
export function stackCredentials(dir: string): RedisCredentials {
  const credentials = readJson<StackConfig>(files.config(path.resolve(dir)))?.credentials;
  if (!credentials) throw new Error(`no stack config with Redis users in ${dir}`);
  return credentials;
}

export const readState = (dir: string): StackState | undefined =>
  readJson<StackState>(files.state(dir));
export const writeState = (state: StackState): void =>
  writeFileAtomic(files.state(state.dir), `${JSON.stringify(state, null, 2)}\n`);

export function removeRunFiles(dir: string): void {
  rmSync(files.state(dir), { force: true });
  rmSync(files.env(dir), { force: true });
  rmSync(files.supervisorPid(dir), { force: true });
}

/** The env contract read by the app (`lib/env.ts`), the worker and the tests. */
export function envRecord(state: StackState): Record<string, string> {
  const env: Record<string, string> = {};
  if (state.mongo) {
    env.MONGODB_URI = state.mongo.uri;
    env.MONGODB_DB = 'propagate';
  }
  const scheme = state.config.tls ? 'rediss' : 'redis';
  if (state.cluster) {
    // A cluster needs the declaration form (lib/model/deployment-spec.ts): its nodes are lists.
    const tls = state.config.tls
      ? { caFile: tlsFiles(state.dir).ca, servername: TLS_SERVERNAME }
      : undefined;
    env.CACHE_DEPLOYMENTS = JSON.stringify([clusterDeclaration('default', state.cluster, tls)]);
  } else if (state.primary) {
    env.REDIS_PRIMARY_REGION = state.primary.region;
    env.REDIS_PRIMARY_URL = `${scheme}://127.0.0.1:${state.primary.port}`;
  }
  env.REDIS_REPLICAS = state.replicas
    .map((r) => `${r.region}=${scheme}://127.0.0.1:${r.port}`)
    .join(',');
  Object.assign(env, credentialsEnv(state.config.credentials));
  // Sealed secrets on by default, so every test and the demo run as production should.
  if (state.config.cacheSecretKey) {
    env.CACHE_SECRET_KEYS = `${DEVSTACK_SECRET_KEY_ID}:${state.config.cacheSecretKey}`;
    env.CACHE_SECRET_KEY_ID = DEVSTACK_SECRET_KEY_ID;
  }
  if (state.config.tls) {
    env.REDIS_TLS_CA_FILE = tlsFiles(state.dir).ca;
    env.REDIS_TLS_SERVERNAME = TLS_SERVERNAME;
  }
  env.PROPAGATE_DEVSTACK_DIR = state.dir;
  // Test receivers listen on 127.0.0.1; production refuses loopback endpoints.
  env.WEBHOOKS_ALLOW_LOOPBACK = '1';
  return env;
}

export function formatEnv(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** Parses `KEY=VALUE` lines (no quoting: none of the values need it); blank and `#` lines skipped. */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** Where a stack running several cache deployments declares them (devstack/deployments.ts). */
export const deploymentsFile = (dir: string) =>
  path.join(path.resolve(dir), 'cache-deployments.json');
export const deploymentDir = (dir: string, name: string) =>
  path.join(path.resolve(dir), 'deployments', name);

/** The variables that describe the cache as one deployment, which a declaration replaces. */
const SINGLE_DEPLOYMENT_KEYS = ['REDIS_PRIMARY_REGION', 'REDIS_PRIMARY_URL', 'REDIS_REPLICAS'];

/**
 * `env` without the cache targets a devstack may have put there. A process started for one
 * stack from inside another's environment (the e2e suite runs beside the integration stack) must
 * not inherit a target its own stack leaves out, such as the other stack's primary when its own
 * declares several deployments.
 */
export function withoutCacheTargets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  for (const key of [
    ...SINGLE_DEPLOYMENT_KEYS,
    // A cluster stack declares itself inline (cluster.ts).
    'CACHE_DEPLOYMENTS',
    'CACHE_DEPLOYMENTS_FILE',
    'REDIS_TLS_CA_FILE',
    'REDIS_TLS_SERVERNAME',
  ])
    delete rest[key];
  return rest;
}

export function readEnvFile(dir: string): Record<string, string> {
  const file = files.env(path.resolve(dir));
  if (!existsSync(file))
    throw new Error(`no devstack env file at ${file}: is the stack up? (npm run stack:up)`);
  const env = parseEnv(readFileSync(file, 'utf8'));
  // Several deployments: the declaration replaces the three single-deployment variables.
  if (existsSync(deploymentsFile(dir))) {
    for (const key of SINGLE_DEPLOYMENT_KEYS) delete env[key];
    env.CACHE_DEPLOYMENTS_FILE = deploymentsFile(dir);
  }
  return env;
}

export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers signal 0 but is gone for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The command line of a pid, so a recycled pid is never mistaken for one of ours. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Resident set size in kB from /proc, or null when the process is gone. */
export function rssKb(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export const DEFAULT_PRIMARY_REGION = 'us-east-1';

/** Demo distances, roughly one-way us-east-1 → each region. */
export const DEMO_REGIONS: RegionSpec[] = [
  { name: 'eu-west-1', delayMs: 35 },
  { name: 'ap-south-1', delayMs: 95 },
  { name: 'ap-southeast-2', delayMs: 110 },
];

export const TEST_REGIONS: RegionSpec[] = DEMO_REGIONS.map((r) => ({ name: r.name, delayMs: 0 }));
