import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEMO_REGIONS, fault } from '../devstack/stack';
import { round, summary } from './stats';

const BIN = path.resolve('bin/propagate.mjs');

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; ms: number; out: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, out }));
  });
}

/**
 * `propagate push --wait` as a pipeline step runs it: process start → exit on convergence, with
 * the demo's link delays on the replicas (35 / 95 / 110 ms one way). Beside it, in the same run:
 * the CLI's own start-up (`--help`, no network) and, per push, the last region's arrival as the
 * server measured it (commit → invalidation message), so the figure splits into start-up,
 * propagation and the rest (HTTP, the save itself, polling granularity).
 */
export async function benchCliPushWait({
  stackDir,
  baseUrl,
  token,
  appId,
  pushes = 30,
}: {
  stackDir: string;
  baseUrl: string;
  token: string;
  appId: string;
  pushes?: number;
}) {
  const env = { PROPAGATE_URL: baseUrl, PROPAGATE_TOKEN: token };
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-cli-'));
  const file = path.join(dir, 'config.json');
  try {
    for (const r of DEMO_REGIONS) await fault(stackDir, r.name, 'latency', r.delayMs);
    const startup: number[] = [];
    for (let i = 0; i < 10; i += 1) startup.push((await runCli(['--help'], env)).ms);

    const got = await runCli(['get', appId, '-o', file], env);
    if (got.code !== 0) throw new Error(`propagate get failed (${got.code}): ${got.out}`);
    const config = JSON.parse(readFileSync(file, 'utf8')) as { sessions: Record<string, number> };

    const endToEnd: number[] = [];
    const lastArrival: number[] = [];
    const exitCodes: Record<string, number> = {};
    for (let i = 0; i < pushes; i += 1) {
      // Always a change: the idle timeout walks through values the schema accepts.
      config.sessions.idleTimeoutMinutes = 60 + (i % 600);
      writeFileSync(file, JSON.stringify(config));
      const ran = await runCli(['push', appId, file, '--wait', '--timeout', '30s', '--json'], env);
      exitCodes[String(ran.code)] = (exitCodes[String(ran.code)] ?? 0) + 1;
      if (ran.code !== 0) continue;
      endToEnd.push(ran.ms);
      const status = (await (
        await fetch(`${baseUrl}/api/apps/${appId}/propagation`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { regions: { timeToArriveMs: number | null }[] };
      const arrivals = status.regions.map((r) => r.timeToArriveMs);
      if (arrivals.every((a): a is number => a !== null)) lastArrival.push(Math.max(...arrivals));
    }
    const e2e = summary(endToEnd);
    const start = summary(startup);
    return {
      linkDelaysMs: Object.fromEntries(DEMO_REGIONS.map((r) => [r.name, r.delayMs])),
      pushes,
      exitCodes,
      endToEnd: e2e,
      cliStartup: start,
      lastRegionArrival: summary(lastArrival),
      ratioEndToEndToStartupP50: round(e2e.p50Ms / start.p50Ms),
      note:
        'endToEnd: spawn of `propagate push <app> <file> --wait --json` until its exit (0 = converged). cliStartup: ' +
        'the same binary with --help (Node + tsx + commander, no network), the baseline in this run. ' +
        'lastRegionArrival: commit → the slowest region’s invalidation message, as the worker recorded it. ' +
        'The converged notification’s delay is not measured: event notifications are not built yet.',
    };
  } finally {
    for (const r of DEMO_REGIONS)
      await fault(stackDir, r.name, 'latency', 0).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
