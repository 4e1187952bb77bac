/**
 * A whole migration home → next, run as the operator and the worker run it (takeStep for each
 * step, the worker's passes every 250 ms), while one app is saved once a second and every
 * following client is sampled every 50 ms: plan, start, backfill, verify, cut over, roll back,
 * cut over again, finish. Reports regressions (a client serving an older version than it served
 * before; the goal is 0) and the staleness of every sample against the head.
 */
import { performance } from 'node:perf_hooks';
import { getCacheState } from '../lib/db/cache-state';
import { collections } from '../lib/db/collections';
import { commitVersion } from '../lib/db/config-versions';
import { readHead } from '../lib/db/heads';
import { backfillPass } from '../lib/deployments/backfill';
import { keepMarkers } from '../lib/deployments/marker-writer';
import { takeStep } from '../lib/deployments/migration-steps';
import { verifyPass } from '../lib/deployments/verify';
import type { MigrationStep } from '../lib/model/migration-gates';
import { pushManyToPrimary } from '../lib/propagation/push';
import { pushVersion } from '../lib/propagation/push-version';
import { deploymentPrimaryRedis } from '../lib/redis/clients';
import { defaultConfig } from '../lib/schemas/config';
import { retryDeploymentOutboxes } from '../lib/worker/deployment-retry';
import { seedApps, startClients } from './migration-setup';
import { percentile, round } from './stats';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const operator = { id: 'bench', name: 'Bench Operator' };

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Takes a step as soon as its gate opens (the operator clicking when the button enables). */
const step = (name: MigrationStep, target?: string) =>
  until(`the ${name} gate`, async () => {
    const state = await getCacheState();
    const result = await takeStep({
      step: name,
      expectRevision: state.revision,
      by: operator,
      ...(target && { target }),
      audit: () => Promise.resolve(),
    });
    return result.status === 'done' ? result : null;
  });

export async function benchWholeMigration({ apps = 200, held = 5 } = {}) {
  const ids = await seedApps(apps, 'flow');
  const c = await collections();
  // The active deployment holds every app, as it would before a migration.
  const heads = await c.configVersions.find({ appId: { $in: ids } }).toArray();
  await pushManyToPrimary(
    deploymentPrimaryRedis('home'),
    heads.map((h) => ({ ...h, committedAt: h.createdAt })),
  );
  const saved = ids[0] ?? '';
  const app = await c.apps.findOne({ _id: saved });
  if (!app) throw new Error('no app to save');
  const clients = await startClients(ids.slice(0, held));

  let running = true;
  const worker = (async () => {
    while (running) {
      await retryDeploymentOutboxes().catch(() => undefined);
      await keepMarkers().catch(() => undefined);
      await backfillPass().catch(() => undefined);
      await verifyPass().catch(() => undefined);
      await sleep(250);
    }
  })();
  const saves: { version: number; committedAt: number }[] = [];
  const saver = (async () => {
    while (running) {
      const started = Date.now();
      const head = await readHead(saved);
      const version = (head?.version ?? 0) + 1;
      const outcome = await commitVersion({
        app,
        expectedVersion: version - 1,
        data: defaultConfig(`${saved} v${version}`),
        author: { userId: 'bench', name: 'Bench', email: 'bench@propagate.test' },
        message: `v${version}`,
      });
      if (outcome.status !== 'committed') throw new Error(`v${version} conflicted`);
      saves.push({ version, committedAt: outcome.doc.createdAt.getTime() });
      await pushVersion(outcome.doc);
      await sleep(Math.max(0, 1_000 - (Date.now() - started)));
    }
  })();
  const samples: { client: string; at: number; version: number }[] = [];
  const highest = new Map<string, number>();
  let regressions = 0;
  const sampler = setInterval(() => {
    const at = Date.now();
    for (const client of clients.all) {
      const version = client.peek(saved)?.version ?? 0;
      if (version < (highest.get(client.instanceId) ?? 0)) regressions += 1;
      highest.set(client.instanceId, Math.max(version, highest.get(client.instanceId) ?? 0));
      samples.push({ client: client.instanceId, at, version });
    }
  }, 50);

  const allOn = (deployment: string) =>
    until(`every client on ${deployment}`, () =>
      Promise.resolve(clients.all.every((cl) => cl.source().deployment === deployment) || null),
    );
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const mark = (name: string, since: number) => (phases[name] = round(performance.now() - since));
  try {
    await step('plan', 'next');
    let t = performance.now();
    await step('start');
    await step('cutOver');
    mark('startToCutOverMs', t);
    t = performance.now();
    await allOn('next');
    mark('cutOverToAllOnTargetMs', t);
    t = performance.now();
    await step('rollBack');
    await allOn('home');
    mark('rollBackToAllOnSourceMs', t);
    await step('cutOver');
    await allOn('next');
    t = performance.now();
    await step('finish');
    await until('every client to drop home', () =>
      Promise.resolve(clients.all.every((cl) => cl.source().retired.includes('home')) || null),
    );
    mark('finishToAllDroppedMs', t);
    await sleep(3_000);
  } finally {
    running = false;
    await Promise.all([worker, saver]);
    await sleep(1_000);
    clearInterval(sampler);
    await clients.close();
  }
  const staleness = samples.map((s) => {
    const newer = saves.find((save) => save.version > s.version && save.committedAt <= s.at);
    return newer ? s.at - newer.committedAt : 0;
  });
  const sorted = [...staleness].sort((a, b) => a - b);
  return {
    apps,
    clients: clients.all.length,
    durationS: round((performance.now() - t0) / 1000, 1),
    saves: saves.length,
    samples: samples.length,
    regressions,
    stalenessMs: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      worst: sorted.at(-1) ?? 0,
    },
    phases,
  };
}
