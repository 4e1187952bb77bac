/**
 * Starts the example service N times per region as child processes, each on its region's replica
 * and reporting to the primary: the demo's "servers" that a save visibly reaches. Used by the
 * demo/e2e setup and by e2e/instances.spec.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../../devstack/ports';
import { endpoints } from '../../devstack/endpoints';
import { deploymentDir, readState } from '../../devstack/state';
import { ProcessGroup } from '../../scripts/processes';
import type { DeploymentDeclaration } from '../../lib/model/deployment-spec';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

export interface FleetOptions {
  regions: {
    name: string;
    replicaUrl: string;
    /** Several cache deployments: the region's endpoint in each (home first). */
    deployments?: { name: string; url: string; reportUrl: string }[];
  }[];
  /** Where instances report the version they hold; omit to run without reporting. */
  primaryUrl?: string;
  apps: string[];
  perRegion?: number;
  /** Instances prefer basePort, basePort+1, …; a port in use is swapped for a free one. */
  basePort?: number;
  /** Instance ids are `${idPrefix}-${region}-${n}`; keep fleets started side by side apart. */
  idPrefix?: string;
  stampCheckIntervalMs?: number;
  reportIntervalMs?: number;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
  /**
   * The instances' Redis users, TLS settings and cache secret keys (CONNECTION_VARIABLES), from
   * the stack's env.
   */
  connectionEnv?: Record<string, string>;
}

/**
 * What an instance reads besides its flags: how to sign in (main.ts, connectionFromEnv) and the
 * keys that open sealed secrets (secretKeysFromEnv).
 */
const CONNECTION_VARIABLES = [
  'CONFIG_READER_USERNAME',
  'CONFIG_READER_PASSWORD',
  'CONFIG_REPORTER_USERNAME',
  'CONFIG_REPORTER_PASSWORD',
  'REDIS_TLS_CA_FILE',
  'REDIS_TLS_SERVERNAME',
  'CACHE_SECRET_KEYS',
];

export interface FleetInstance {
  instanceId: string;
  region: string;
  port: number;
  url: string;
  pid: number;
}

export interface Fleet {
  instances: FleetInstance[];
  /** SIGTERM (the service withdraws its reports), SIGKILL for whatever lingers. */
  stop(): Promise<void>;
}

/**
 * The fleet's regions and primary from a devstack env record (REDIS_REPLICAS, REDIS_PRIMARY_URL),
 * or, with several deployments (CACHE_DEPLOYMENTS_FILE), every replica region of any of them,
 * each instance given its region's endpoint in every deployment (where a deployment has no replica
 * there: its access link from that region if the devstack started one, else the primary), in the
 * declared order.
 */
export function fleetTargetsFromEnv(env: Record<string, string | undefined>): {
  regions: FleetOptions['regions'];
  primaryUrl?: string;
  connectionEnv: Record<string, string>;
} {
  const connectionEnv = Object.fromEntries(
    CONNECTION_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  );
  return { ...fleetTargets(env), connectionEnv };
}

function fleetTargets(env: Record<string, string | undefined>): {
  regions: FleetOptions['regions'];
  primaryUrl?: string;
} {
  if (env.CACHE_DEPLOYMENTS_FILE) {
    const declared = JSON.parse(
      readFileSync(env.CACHE_DEPLOYMENTS_FILE, 'utf8'),
    ) as DeploymentDeclaration[];
    const regionNames = [
      ...new Set(declared.flatMap((d) => (d.replicas ?? []).map((r) => r.region))),
    ];
    // A deployment started with access links (devstack/deployments.ts) is reached through them.
    const accessUrl = (deployment: string, region: string) => {
      const dir = deploymentDir(path.dirname(env.CACHE_DEPLOYMENTS_FILE ?? ''), deployment);
      const link = readState(dir)?.access?.find((a) => a.region === region);
      return link ? `redis://127.0.0.1:${link.proxyPort}` : undefined;
    };
    return {
      regions: regionNames.map((name) => {
        const deployments = declared.map((d) => {
          const far = accessUrl(d.name, name);
          return {
            name: d.name,
            url: d.replicas?.find((r) => r.region === name)?.url ?? far ?? d.primary.url,
            reportUrl: far ?? d.primary.url,
          };
        });
        return { name, replicaUrl: deployments[0]?.url ?? '', deployments };
      }),
    };
  }
  const { primary, replicas } = endpoints(env);
  if (replicas.length === 0) throw new Error('REDIS_REPLICAS lists no replica regions');
  return {
    primaryUrl: primary.url,
    regions: replicas.map((r) => ({ name: r.region, replicaUrl: r.url })),
  };
}

async function waitUntilHealthy(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url} exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms (${last}):\n${output()}`);
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const perRegion = options.perRegion ?? 2;
  const log = options.log ?? (() => undefined);
  const group = new ProcessGroup();
  const instances: FleetInstance[] = [];
  const stop = () => group.stopAll(5_000);
  try {
    const started: Promise<void>[] = [];
    const count = options.regions.length * perRegion;
    const base = options.basePort;
    const ports = await freePorts(
      count,
      Array.from({ length: count }, (_, i) => (base === undefined ? undefined : base + i)),
    );
    options.regions.forEach((region, r) => {
      for (let n = 0; n < perRegion; n += 1) {
        const port = ports[r * perRegion + n];
        if (port === undefined) throw new Error('no free port for an instance');
        const instanceId = `${options.idPrefix ?? 'login'}-${region.name}-${n + 1}`;
        const args = [
          ...['--import', 'tsx', MAIN],
          ...['--port', String(port), '--region', region.name, '--redis-url', region.replicaUrl],
          ...['--apps', options.apps.join(','), '--instance-id', instanceId],
          ...(options.primaryUrl ? ['--primary-url', options.primaryUrl] : []),
          ...(region.deployments
            ? [
                ...['--deployments', region.deployments.map((d) => `${d.name}=${d.url}`).join(',')],
                ...[
                  '--report-urls',
                  region.deployments.map((d) => `${d.name}=${d.reportUrl}`).join(','),
                ],
              ]
            : []),
          ...(options.stampCheckIntervalMs
            ? ['--stamp-check-ms', String(options.stampCheckIntervalMs)]
            : []),
          ...(options.reportIntervalMs ? ['--report-ms', String(options.reportIntervalMs)] : []),
        ];
        // quiet: the lines go to `log` (and into the error if the instance does not come up).
        const child = group.start(instanceId, process.execPath, args, {
          quiet: true,
          env: { ...process.env, ...options.connectionEnv },
        });
        const lines: string[] = [];
        for (const stream of [child.stdout, child.stderr]) {
          stream?.on('data', (chunk: Buffer) => {
            for (const line of chunk.toString().split('\n').filter(Boolean)) {
              lines.push(line);
              if (lines.length > 30) lines.shift();
              log(line);
            }
          });
        }
        const url = `http://127.0.0.1:${port}`;
        instances.push({ instanceId, region: region.name, port, url, pid: child.pid ?? -1 });
        started.push(
          waitUntilHealthy(url, child, () => lines.join('\n'), options.readyTimeoutMs ?? 30_000),
        );
      }
    });
    await Promise.all(started);
    return { instances, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
