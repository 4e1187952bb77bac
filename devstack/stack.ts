/**
 * The programmatic face of the devstack: tests and scripts call `up`, `down`, `status`, `fault`.
 * A stack lives in one directory; everything about it is found from that directory alone.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { newCredentials, type RedisCredentials } from './acl';
import { controlRequest, FAULT_ACTIONS, type FaultAction, type FaultResult } from './control';
import { pingMongo } from './mongo-tier';
import { REGION_NAME_PATTERN } from '../lib/contract/names';
import { sleep } from './redis-process';
import { collectStatus, type StackStatus } from './status';
import {
  cmdline,
  DEFAULT_PRIMARY_REGION,
  DEMO_REGIONS,
  deploymentDir,
  deploymentsFile,
  envRecord,
  files,
  lastLines,
  pidAlive,
  readState,
  removeRunFiles,
  REPO_ROOT,
  writeFileAtomic,
  type MongoTierName,
  type RegionSpec,
  type StackConfig,
  type StackState,
} from './state';

export { readEnvFile, DEMO_REGIONS, TEST_REGIONS, type RegionSpec } from './state';
export type { FaultAction, FaultResult } from './control';
export type { StackStatus, ProcessStatus } from './status';

export interface UpOptions {
  dir: string;
  regions?: RegionSpec[];
  primaryRegion?: string;
  /** Regions without a replica that reach the primary through a delayed link (see StackConfig). */
  access?: RegionSpec[];
  /** false starts no MongoDB (for suites that only need Redis); the default starts one. */
  mongo?: boolean;
  /**
   * Defaults to process.env.MONGODB_URI: an external MongoDB is passed through untouched. null
   * starts the stack's own MongoDB even then, for a stack whose data must not meet another's.
   */
  mongoUri?: string | null;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** The Redis ACL users; new ones by default (extra deployments pass their home stack's). */
  credentials?: RedisCredentials;
  /** Every server listens with TLS only (rediss:// URLs, a CA made at start: tls.ts). */
  tls?: boolean;
  /** A Redis Cluster of three shards instead of one primary (cluster.ts); not with access. */
  cluster?: boolean;
}

export interface StackInfo {
  dir: string;
  envFile: string;
  env: Record<string, string>;
  reused: boolean;
  mongoTier: MongoTierName | null;
  controlPort: number | null;
  state: StackState;
}

function configFor(options: UpOptions): StackConfig {
  const primaryRegion = options.primaryRegion ?? DEFAULT_PRIMARY_REGION;
  const regions = options.regions ?? DEMO_REGIONS;
  const access = options.access ?? [];
  const names = [primaryRegion, ...regions.map((r) => r.name)];
  for (const name of names) {
    // Names end up in REDIS_REPLICAS (`name=url,...`) and in directory names.
    if (!REGION_NAME_PATTERN.test(name))
      throw new Error(`region name ${JSON.stringify(name)} must match ${REGION_NAME_PATTERN}`);
  }
  if (new Set(names).size !== names.length)
    throw new Error(`region names must be distinct (primary included): ${names.join(', ')}`);
  for (const r of access)
    if (!REGION_NAME_PATTERN.test(r.name) || names.includes(r.name))
      throw new Error(`access region ${JSON.stringify(r.name)} must be a new region name`);
  for (const r of [...regions, ...access]) {
    if (!Number.isFinite(r.delayMs) || r.delayMs < 0)
      throw new Error(`delay for ${r.name} must be ≥ 0 ms, got ${r.delayMs}`);
  }
  if (options.cluster && access.length > 0)
    throw new Error('a devstack cluster runs without access links');
  const mongoUri =
    options.mongoUri === null ? undefined : (options.mongoUri ?? process.env.MONGODB_URI);
  return {
    primaryRegion,
    regions: regions.map((r) => ({ name: r.name, delayMs: r.delayMs })),
    ...(access.length > 0 && { access: access.map((r) => ({ name: r.name, delayMs: r.delayMs })) }),
    mongo: options.mongo === false ? 'off' : 'auto',
    ...(options.mongo !== false && mongoUri ? { mongoUri } : {}),
    credentials: options.credentials ?? newCredentials(),
    ...(options.tls && { tls: true }),
    ...(options.cluster && { cluster: true }),
    cacheSecretKey: randomBytes(32).toString('base64'),
  };
}

const sameUsers = (a: RedisCredentials | undefined, b: RedisCredentials) =>
  JSON.stringify(a) === JSON.stringify(b);

function describe(config: StackConfig): string {
  const regions = config.regions.map((r) => `${r.name} +${r.delayMs}ms`).join(', ');
  return `primary ${config.primaryRegion}; replicas ${regions}; mongo ${config.mongo}${config.tls ? '; TLS' : ''}${config.cluster ? '; cluster' : ''}`;
}

/** Why a running stack cannot serve a request for `wanted`, or undefined if it can. */
function mismatch(running: StackConfig, wanted: StackConfig): string | undefined {
  const sameRegions =
    running.primaryRegion === wanted.primaryRegion &&
    running.regions.length === wanted.regions.length &&
    running.regions.every(
      (r, i) => r.name === wanted.regions[i]?.name && r.delayMs === wanted.regions[i]?.delayMs,
    );
  const sameAccess = JSON.stringify(running.access ?? []) === JSON.stringify(wanted.access ?? []);
  const sameTls =
    Boolean(running.tls) === Boolean(wanted.tls) &&
    Boolean(running.cluster) === Boolean(wanted.cluster);
  if (
    !sameRegions ||
    !sameAccess ||
    !sameTls ||
    (wanted.mongo === 'auto' && running.mongo === 'off')
  ) {
    return `it runs ${describe(running)}, but this request wants ${describe(wanted)}`;
  }
  return undefined;
}

function info(state: StackState, reused: boolean): StackInfo {
  return {
    dir: state.dir,
    envFile: files.env(state.dir),
    env: envRecord(state),
    reused,
    mongoTier: state.mongo?.tier ?? null,
    controlPort: state.controlPort,
    state,
  };
}

function supervisorLogTail(dir: string, lines = 8): string {
  return lastLines(files.supervisorLog(dir), lines)?.join('\n') ?? '(no supervisor log)';
}

async function waitForPhase(
  dir: string,
  deadline: number,
  spawnedPid?: number,
): Promise<StackState> {
  for (;;) {
    const state = readState(dir);
    if (!state && spawnedPid !== undefined && !pidAlive(spawnedPid)) {
      throw new Error(
        `devstack supervisor in ${dir} exited before the stack was ready:\n${supervisorLogTail(dir)}`,
      );
    }
    if (state?.phase === 'ready') return state;
    if (state?.phase === 'failed')
      throw new Error(`devstack in ${dir} failed to start: ${state.error ?? 'unknown error'}`);
    if (state && !pidAlive(state.supervisorPid)) {
      throw new Error(
        `devstack supervisor in ${dir} died while starting:\n${supervisorLogTail(dir)}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`devstack in ${dir} not ready in time:\n${supervisorLogTail(dir)}`);
    await sleep(100);
  }
}

/**
 * Starts a stack in `dir` (a detached supervisor), or reuses the healthy one already there. Throws
 * with the reason when a stack runs there but is unhealthy or configured differently.
 */
export async function up(options: UpOptions): Promise<StackInfo> {
  const dir = path.resolve(options.dir);
  const log = options.log ?? (() => undefined);
  const wanted = configFor(options);
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  mkdirSync(dir, { recursive: true });

  const existing = readState(dir);
  if (existing && pidAlive(existing.supervisorPid)) {
    const running = existing.phase === 'starting' ? await waitForPhase(dir, deadline) : existing;
    if (options.credentials && !sameUsers(running.config.credentials, options.credentials)) {
      // A deployment started beside another stack follows that stack's users: restart it.
      log(`the devstack in ${dir} has other Redis users than asked for; restarting it`);
      await down(dir);
      return up(options);
    }
    // A stack started before the cache secrets were sealed would run every test without it.
    if (!(running.config as Partial<StackConfig>).cacheSecretKey) {
      log(`the devstack in ${dir} has no cache secret key; restarting it`);
      await down(dir);
      return up(options);
    }
    const why = mismatch(running.config, wanted);
    if (why)
      throw new Error(
        `a devstack already runs in ${dir} and cannot be reused: ${why}. Run \`npm run stack:down\` (or down('${dir}')) first.`,
      );
    const current = await status(dir);
    if (!current?.healthy) {
      throw new Error(
        `a devstack runs in ${dir} but is unhealthy: ${current?.problems.join('; ') ?? 'no status'}. ` +
          'Heal/revive it with `npm run stack -- fault <region> heal|revive`, or `npm run stack:down` and up again.',
      );
    }
    log(`reusing the healthy devstack in ${dir}`);
    return info(running, true);
  }
  if (existing) {
    log(`the previous supervisor in ${dir} is gone; cleaning up what it left`);
    await down(dir);
  }

  writeFileAtomic(files.config(dir), `${JSON.stringify(wanted, null, 2)}\n`);
  const logFd = openSync(files.supervisorLog(dir), 'a');
  let spawnedPid: number | undefined;
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'devstack', 'supervisor.ts'), dir],
      {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: process.env,
      },
    );
    child.unref();
    spawnedPid = child.pid;
    if (child.pid) writeFileAtomic(files.supervisorPid(dir), `${child.pid}\n`);
  } finally {
    closeSync(logFd);
  }
  try {
    const state = await waitForPhase(dir, deadline, spawnedPid);
    // Checked here rather than in the supervisor, which then never loads the MongoDB driver.
    if (state.mongo) await pingMongo(state.mongo.uri);
    log(
      `devstack up in ${dir}${state.mongo ? ` (mongo tier: ${state.mongo.tier})` : ' (no mongo)'}`,
    );
    return info(state, false);
  } catch (error) {
    await down(dir).catch(() => undefined);
    throw error;
  }
}

function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const check = (): void => {
      if (!pidAlive(pid)) return resolve(true);
      if (Date.now() > deadline) return resolve(false);
      setTimeout(check, 50);
    };
    check();
  });
}

/** Signals a recorded pid only if it still runs the program we started (pids get recycled). */
async function stopPid(
  pid: number | null,
  program: RegExp,
  log: (line: string) => void,
): Promise<boolean> {
  if (!pid || !pidAlive(pid) || !program.test(cmdline(pid))) return false;
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, 5000))) {
    log(`pid ${pid} ignored SIGTERM; sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 2000);
  }
  return true;
}

/**
 * Stops the stack in `dir` and leaves no process behind, also when its supervisor was SIGKILLed
 * (then every recorded pid is stopped directly). Data directories stay for the next `up`.
 */
export async function down(
  dirArg: string,
  log: (line: string) => void = () => undefined,
): Promise<{ stopped: number }> {
  const dir = path.resolve(dirArg);
  const state = readState(dir);
  if (!state) {
    // Maybe a supervisor still loading: it has a pid file but no state yet.
    const pid = Number(
      readFileSync(files.supervisorPid(dir), { encoding: 'utf8', flag: 'a+' }).trim(),
    );
    const stopped = (await stopPid(pid || null, /supervisor\.ts/, log)) ? 1 : 0;
    // It may have written state (and started children) just before the signal landed.
    if (readState(dir)) return down(dir, log);
    removeRunFiles(dir);
    return { stopped };
  }
  let stopped = 0;
  if (pidAlive(state.supervisorPid) && /supervisor\.ts/.test(cmdline(state.supervisorPid))) {
    process.kill(state.supervisorPid, 'SIGTERM');
    if (await waitForExit(state.supervisorPid, 20_000)) stopped += 1;
    else
      log(`supervisor ${state.supervisorPid} did not stop in 20 s; stopping its children directly`);
  }
  // Whatever survived (a SIGKILLed or stuck supervisor leaves orphans): stop by recorded pid.
  const after = readState(dir) ?? state;
  const leftovers: [number | null, RegExp][] = [
    [after.supervisorPid, /supervisor\.ts/],
    [after.primary?.pid ?? null, /redis-server/],
    ...after.replicas.map((r): [number | null, RegExp] => [r.pid, /redis-server/]),
    ...(after.cluster ?? []).map((n): [number | null, RegExp] => [n.pid, /redis-server/]),
    ...(after.mongo && after.mongo.tier !== 'external'
      ? [[after.mongo.pid, /mongo\/cli\.ts|mongod/] as [number | null, RegExp]]
      : []),
  ];
  for (const [pid, program] of leftovers) {
    if (await stopPid(pid, program, log)) {
      log(`stopped leftover pid ${pid}`);
      stopped += 1;
    }
  }
  stopped += await downExtraDeployments(dir, log);
  removeRunFiles(dir);
  return { stopped };
}

/** The further cache deployments started beside this stack (devstack/deployments.ts). */
async function downExtraDeployments(dir: string, log: (line: string) => void): Promise<number> {
  const root = path.dirname(deploymentDir(dir, 'x'));
  let stopped = 0;
  if (existsSync(root)) {
    for (const name of readdirSync(root))
      stopped += (await down(path.join(root, name), log)).stopped;
  }
  rmSync(deploymentsFile(dir), { force: true });
  return stopped;
}

/** Live status of every process of the stack in `dir`, or null when none is recorded there. */
export async function status(dirArg: string): Promise<StackStatus | null> {
  const dir = path.resolve(dirArg);
  const state = readState(dir);
  if (!state) return null;
  if (pidAlive(state.supervisorPid)) {
    try {
      return await controlRequest<StackStatus>(state, 'GET', '/status');
    } catch {
      // fall through: probe directly
    }
  }
  return collectStatus(state);
}

export async function fault(
  dirArg: string,
  region: string,
  action: FaultAction,
  ms?: number,
): Promise<FaultResult> {
  const dir = path.resolve(dirArg);
  if (!FAULT_ACTIONS.includes(action))
    throw new Error(`unknown fault action ${String(action)}; use ${FAULT_ACTIONS.join(', ')}`);
  if (action === 'latency' && (ms === undefined || !Number.isFinite(ms) || ms < 0)) {
    throw new Error('latency needs a delay in ms ≥ 0');
  }
  const state = readState(dir);
  if (!state || !pidAlive(state.supervisorPid)) throw new Error(`no running devstack in ${dir}`);
  return controlRequest<FaultResult>(state, 'POST', '/fault', { region, action, ms });
}
