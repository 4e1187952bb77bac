import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_REGIONS, fault } from '../devstack/stack';
import { collections } from '../lib/db/collections';
import { createWebhookEndpoint } from '../lib/db/webhook-endpoints';
import { round, summary } from './stats';

/**
 * A receiver of the converged notification on this machine: when each version's
 * `config.converged` arrived, and the time the worker put in it.
 */
async function convergedReceiver() {
  const received = new Map<number, { at: number; convergedAt: number }>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const at = Date.now();
      const event = JSON.parse(body) as {
        type: string;
        data: { version: number; convergedAt: string };
      };
      if (event.type === 'config.converged' && !received.has(event.data.version)) {
        received.set(event.data.version, { at, convergedAt: Date.parse(event.data.convergedAt) });
      }
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/converged`;
  return { url, received, close: () => server.close() };
}

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
  const receiver = await convergedReceiver();
  const { endpoint } = await createWebhookEndpoint({
    tenantId: 'acme',
    url: receiver.url,
    description: 'npm run bench',
    eventTypes: ['config.converged'],
    appIds: [appId],
    createdBy: { userId: 'bench', name: 'npm run bench', email: 'bench@propagate.test' },
  });
  try {
    for (const r of DEMO_REGIONS) await fault(stackDir, r.name, 'latency', r.delayMs);
    const startup: number[] = [];
    for (let i = 0; i < 10; i += 1) startup.push((await runCli(['--help'], env)).ms);

    const got = await runCli(['get', appId, '-o', file], env);
    if (got.code !== 0) throw new Error(`propagate get failed (${got.code}): ${got.out}`);
    const config = JSON.parse(readFileSync(file, 'utf8')) as { sessions: Record<string, number> };

    const endToEnd: number[] = [];
    const lastArrival: number[] = [];
    /** Last region's arrival → the converged notification at the receiver; and its two parts. */
    const convergedDelay: number[] = [];
    const detection: number[] = [];
    const delivery: number[] = [];
    let missingNotifications = 0;
    const exitCodes: Record<string, number> = {};
    for (let i = 0; i < pushes; i += 1) {
      // Always a change: the idle timeout walks through values the schema accepts.
      config.sessions.idleTimeoutMinutes = 60 + (i % 600);
      writeFileSync(file, JSON.stringify(config));
      const ran = await runCli(['push', appId, file, '--wait', '--timeout', '30s', '--json'], env);
      exitCodes[String(ran.code)] = (exitCodes[String(ran.code)] ?? 0) + 1;
      if (ran.code !== 0) continue;
      endToEnd.push(ran.ms);
      // Arrival times are recorded by the worker a moment after the CLI's exit: read until all are.
      type Status = {
        head: { version: number } | null;
        regions: { timeToArriveMs: number | null; arrivedAt: number | null }[];
      };
      let status: Status;
      const readUntil = Date.now() + 5_000;
      do {
        status = (await (
          await fetch(`${baseUrl}/api/apps/${appId}/propagation`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as Status;
        if (status.regions.every((r) => r.arrivedAt !== null)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (Date.now() < readUntil);
      const arrivals = status.regions.map((r) => r.timeToArriveMs);
      if (arrivals.every((a): a is number => a !== null)) lastArrival.push(Math.max(...arrivals));
      const version = status.head?.version ?? 0;
      const deadline = Date.now() + 10_000;
      while (!receiver.received.has(version) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const got = receiver.received.get(version);
      const arrivedAt = status.regions.map((r) => r.arrivedAt);
      if (!got) missingNotifications += 1;
      else if (arrivedAt.every((a): a is number => a !== null)) {
        const last = Math.max(...arrivedAt);
        convergedDelay.push(got.at - last);
        detection.push(got.convergedAt - last);
        delivery.push(got.at - got.convergedAt);
      }
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
      convergedNotification: {
        afterLastArrival: summary(convergedDelay),
        detection: summary(detection),
        delivery: summary(delivery),
        missing: missingNotifications,
      },
      ratioEndToEndToStartupP50: round(e2e.p50Ms / start.p50Ms),
      note:
        'endToEnd: spawn of `propagate push <app> <file> --wait --json` until its exit (0 = converged). cliStartup: ' +
        'the same binary with --help (Node + tsx + commander, no network), the baseline in this run. ' +
        'lastRegionArrival: commit → the slowest region’s invalidation message, as the worker recorded it. ' +
        'convergedNotification.afterLastArrival: that arrival (arrivedAt of the last region) → the config.converged ' +
        'notification received by a local endpoint (no servers report, so regions decide); detection: → the ' +
        'convergedAt the worker put in it; delivery: convergedAt → received. Same machine clock throughout.',
    };
  } finally {
    receiver.close();
    const c = await collections();
    await c.webhookEndpoints.deleteOne({ _id: endpoint._id });
    for (const r of DEMO_REGIONS)
      await fault(stackDir, r.name, 'latency', 0).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
