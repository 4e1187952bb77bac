import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { aclConfig, type RedisCredentials, type RedisUser } from './acl';
import { TLS_SERVERNAME, type TlsFiles } from './tls';
import { lastLines, writeFileAtomic } from './state';

export const REDIS_SERVER = process.env.PROPAGATE_REDIS_SERVER ?? 'redis-server';

/**
 * How long a silent replication link may stay silent before either side calls it down. Redis's
 * default is 60 s, which would make a partition look healthy for a minute; with the primary
 * pinging every second (repl-ping-replica-period 1) an idle link is never silent for 5 s, so
 * 5 s only ever fires on a real partition and the status shows it within seconds.
 */
export const REPL_TIMEOUT_S = 5;

export interface RedisSpec {
  name: string;
  port: number;
  /** Working directory of this server (AOF, logfile); created if missing. */
  dir: string;
  /** Set for a replica: where its replication link connects (the link proxy). */
  replicaOf?: { host: string; port: number };
  /** The stack's ACL users; the server's config file is written from them (acl.ts). */
  credentials: RedisCredentials;
  /** Set for a stack run over TLS: the server listens with TLS only (tls.ts). */
  tls?: TlsFiles;
  /** Set for a node of a Redis Cluster (cluster.ts). */
  cluster?: {
    busPort: number;
    /** A master's: the port it announces to clients and replicas (its link proxy's). */
    announcePort?: number;
    /** A master keeps an AOF, so a killed and revived master comes back with its data. */
    persist?: boolean;
  };
}

/** How the devstack's one-shot probes sign in: the admin user, over TLS with the CA file when set. */
export interface ProbeAccess extends RedisUser {
  caFile?: string;
}

/** The server's own config file: ACL users and replication auth, kept out of `ps` output. */
export const configFile = (spec: Pick<RedisSpec, 'dir'>) => path.join(spec.dir, 'redis.conf');

export function redisArgs(spec: RedisSpec): string[] {
  // prettier-ignore
  const common = [
    configFile(spec),
    ...(spec.tls
      ? ['--port', '0', '--tls-port', String(spec.port), '--tls-cert-file', spec.tls.cert,
          '--tls-key-file', spec.tls.key, '--tls-ca-cert-file', spec.tls.ca,
          '--tls-auth-clients', 'no', '--tls-replication', 'yes']
      : ['--port', String(spec.port)]),
    '--bind', '127.0.0.1',
    '--dir', spec.dir,
    '--daemonize', 'no',
    '--logfile', path.join(spec.dir, 'redis.log'),
    '--repl-timeout', String(REPL_TIMEOUT_S),
    // The primary waits this long on shutdown for lagging replicas; a partitioned one never catches up.
    '--shutdown-timeout', '1',
  ];
  if (spec.cluster) {
    const { busPort, announcePort, persist } = spec.cluster;
    // A devstack cluster is formed afresh on every start (cluster.ts); only a master's AOF
    // lasts, for a kill and revive within one run.
    // prettier-ignore
    return [
      ...common,
      '--cluster-enabled', 'yes',
      '--cluster-config-file', 'nodes.conf',
      '--cluster-port', String(busPort),
      '--cluster-node-timeout', '3000',
      // The masters stay in the primary region: a far replica never takes over a killed one.
      '--cluster-replica-no-failover', 'yes',
      ...(announcePort
        ? [spec.tls ? '--cluster-announce-tls-port' : '--cluster-announce-port', String(announcePort)]
        : []),
      ...(spec.tls ? ['--tls-cluster', 'yes'] : []),
      '--appendonly', persist ? 'yes' : 'no',
      '--save', '',
      '--repl-diskless-sync-delay', '0',
      '--repl-ping-replica-period', '1',
    ];
  }
  if (spec.replicaOf) {
    // Replicas are rebuilt from the primary on every start, so they keep nothing on disk.
    // prettier-ignore
    return [
      ...common,
      '--replicaof', spec.replicaOf.host, String(spec.replicaOf.port),
      '--replica-read-only', 'yes',
      '--save', '',
      '--appendonly', 'no',
    ];
  }
  // prettier-ignore
  return [
    ...common,
    // A primary that restarts empty wipes every replica on resync, so it persists.
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    // Without this every replica's first sync waits the default 5 s.
    '--repl-diskless-sync-delay', '0',
    '--repl-ping-replica-period', '1',
  ];
}

export function spawnRedis(spec: RedisSpec): ChildProcess {
  mkdirSync(spec.dir, { recursive: true });
  // Every cluster node may be asked to follow a master, so each signs its link in.
  const follows = Boolean(spec.replicaOf ?? spec.cluster);
  writeFileAtomic(configFile(spec), aclConfig(spec.credentials, follows));
  // Own stdio is ignored: redis writes to its logfile, and a pipe nobody drains could block it.
  return spawn(REDIS_SERVER, redisArgs(spec), { stdio: 'ignore' });
}

/** Resolves once the server answers PING; rejects early if the process exits (e.g. port taken). */
export async function waitForRedis(
  child: ChildProcess,
  spec: RedisSpec,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  const onExit = (code: number | null, signal: string | null): void => {
    exited = `exited (code ${code}, signal ${signal})`;
  };
  child.once('exit', onExit);
  try {
    for (;;) {
      if (exited || child.exitCode !== null) {
        throw new Error(
          `redis-server ${spec.name} on port ${spec.port} ${exited ?? 'exited'}: ${logTail(spec)}`,
        );
      }
      try {
        const access = { ...spec.credentials.admin, ...(spec.tls && { caFile: spec.tls.ca }) };
        const pong = await redisCommand(spec.port, ['PING'], 500, access);
        if (pong === 'PONG') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(
          `redis-server ${spec.name} on port ${spec.port} did not answer PING within ${timeoutMs} ms`,
        );
      await sleep(50);
    }
  } finally {
    child.off('exit', onExit);
  }
}

export function logTail(spec: RedisSpec, lines = 5): string {
  return lastLines(path.join(spec.dir, 'redis.log'), lines)?.join(' | ') ?? '(no log)';
}

export type RespValue = string | number | null | RespValue[];

/**
 * One command over a fresh connection. The supervisor and `down` probe servers that may be dead,
 * killed or partitioned; a one-shot socket with a hard timeout cannot get stuck reconnecting the
 * way a long-lived client would. With `auth`, AUTH goes first on the same connection.
 */
export function redisCommand(
  port: number,
  args: readonly string[],
  timeoutMs = 1000,
  auth?: ProbeAccess,
): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = auth?.caFile
      ? tls.connect({
          port,
          host: '127.0.0.1',
          ca: readFileSync(auth.caFile),
          servername: TLS_SERVERNAME,
        })
      : net.connect({ port, host: '127.0.0.1' });
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(
      () => fail(new Error(`redis :${port} ${args[0]} timed out`)),
      timeoutMs,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    const commands = auth ? [['AUTH', auth.username, auth.password], args] : [args];
    socket.once(auth?.caFile ? 'secureConnect' : 'connect', () => {
      let out = '';
      for (const command of commands) {
        out += `*${command.length}\r\n`;
        for (const arg of command) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
      }
      socket.write(out);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const authReply = auth ? parseResp(buffer, 0) : undefined;
      if (auth && !authReply) return;
      const parsed = parseResp(buffer, authReply?.next ?? 0);
      if (!parsed) return;
      clearTimeout(timer);
      socket.destroy();
      const error = authReply?.error ?? parsed.error;
      if (error) reject(new Error(`redis :${port} ${args[0]}: ${error}`));
      else resolve(parsed.value);
    });
  });
}

interface Parsed {
  value: RespValue;
  error?: string;
  next: number;
}

function parseResp(buf: Buffer, at: number): Parsed | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at] ?? 0);
  const line = buf.toString('utf8', at + 1, eol);
  switch (type) {
    case '+':
      return { value: line, next: eol + 2 };
    case '-':
      return { value: null, error: line, next: eol + 2 };
    case ':':
      return { value: Number(line), next: eol + 2 };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: eol + 2 };
      if (buf.length < eol + 2 + len + 2) return undefined;
      return { value: buf.toString('utf8', eol + 2, eol + 2 + len), next: eol + 2 + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: eol + 2 };
      const items: RespValue[] = [];
      let next = eol + 2;
      for (let i = 0; i < count; i += 1) {
        const item = parseResp(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      return {
        value: null,
        error: `unexpected RESP type ${JSON.stringify(type)}`,
        next: buf.length,
      };
  }
}

/** `INFO <section>` as a flat field map (`role`, `master_link_status`, ...). */
export async function redisInfo(
  port: number,
  auth: ProbeAccess,
  section = 'replication',
  timeoutMs = 1000,
): Promise<Record<string, string>> {
  const reply = await redisCommand(port, ['INFO', section], timeoutMs, auth);
  const info: Record<string, string> = {};
  if (typeof reply !== 'string') return info;
  for (const line of reply.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) info[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return info;
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
