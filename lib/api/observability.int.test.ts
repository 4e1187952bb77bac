import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const METRICS_TOKEN = vi.hoisted(() => {
  const token = `metrics-${Math.random().toString(36).slice(2)}-${'m'.repeat(16)}`;
  process.env.PROPAGATE_METRICS_TOKEN = token;
  return token;
});

import { GET as metricsRoute } from '@/app/api/metrics/route';
import { saveConfig } from '@/lib/actions/save-config';
import { collections } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { captureLogs } from '@/lib/log';
import { maskSecrets } from '@/lib/secrets';
import { retryDuePushes } from '@/lib/worker/push-retry';
import { runId } from '@/test/helpers/auth';
import { createPushedApp, removeApps } from '@/test/helpers/propagation';
import { testPrincipal } from '@/test/helpers/principals';
import { closeStores } from '@/test/helpers/stores';

const run = runId();
const tenantId = `obs-${run}`;
const created: string[] = [];
const admin = testPrincipal('admin', tenantId, run);

const scrape = (authorization?: string) =>
  metricsRoute(
    new Request('http://propagate.test/api/metrics', {
      headers: authorization ? { authorization } : {},
    }),
  );

/** `name{labels} value` from the Prometheus text format; 0 when the series does not exist yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function saveOnce(appId: string, requestId: string) {
  const head = await readHead(appId);
  if (!head) throw new Error('no head');
  const config = maskSecrets(head.data);
  return saveConfig.run(
    admin,
    {
      appId,
      baseVersion: head.version,
      config: { ...config, branding: { ...config.branding, displayName: `Observed ${requestId}` } },
      message: 'observed',
    },
    { ip: null, userAgent: 'observability-test', requestId },
  );
}

let appId: string;
beforeAll(async () => {
  appId = (await createPushedApp(tenantId, created, 'obs'))._id;
});

afterAll(async () => {
  await removeApps(created);
  await closeStores();
});

describe('GET /api/metrics', () => {
  it('refuses a scrape without the token or with a wrong one', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain('propagate_');
    expect((await scrape(`Bearer ${METRICS_TOKEN}x`)).status).toBe(401);
    expect((await scrape(METRICS_TOKEN)).status).toBe(401);
  });

  it('does not exist when no token is configured', async () => {
    vi.resetModules();
    const saved = process.env.PROPAGATE_METRICS_TOKEN;
    delete process.env.PROPAGATE_METRICS_TOKEN;
    try {
      const { GET } = await import('@/app/api/metrics/route');
      const response = await GET(
        new Request('http://propagate.test/api/metrics', {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        }),
      );
      expect(response.status).toBe(404);
    } finally {
      process.env.PROPAGATE_METRICS_TOKEN = saved;
    }
  });

  it('counts a save in the save-latency histogram and reports the outbox', async () => {
    const series = 'propagate_save_duration_seconds_count{outcome="ok"}';
    const before = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toContain('text/plain');
    const countBefore = sample(await before.text(), series);

    expect((await saveOnce(appId, `obs-metrics-${run}`)).status).toBe('ok');

    const after = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
    expect(sample(after, series)).toBe(countBefore + 1);
    expect(
      sample(after, 'propagate_push_duration_seconds_count{outcome="pushed"}'),
    ).toBeGreaterThan(0);
    expect(after).toMatch(/^propagate_outbox_depth \d+$/m);
    expect(after).toMatch(/^propagate_outbox_oldest_age_seconds [\d.e+-]+$/m);
    expect(after).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describe('structured logs', () => {
  it("carry a save's request id from the action into the worker's retry of its push", async () => {
    const requestId = `obs-trace-${run}`;
    const lines: string[] = [];
    // The suites run at warn; this trace is made of info lines.
    const restore = captureLogs((line) => lines.push(line), { level: 'info' });
    let version: number;
    try {
      const saved = await saveOnce(appId, requestId);
      if (saved.status !== 'ok') throw new Error(JSON.stringify(saved));
      version = saved.data.version;
      // As if the push had failed: the version is back in the outbox for the worker, which runs
      // outside any request.
      const c = await collections();
      await c.configVersions.updateOne(
        { appId, version },
        { $set: { pushedAt: null, nextPushAt: null } },
      );
      const retried = await retryDuePushes();
      expect(retried.pushed).toBeGreaterThan(0);
    } finally {
      restore();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) expect([typeof r.level, typeof r.time]).toEqual(['string', 'string']);
    const ours = records.filter((r) => r.requestId === requestId);
    expect(ours.map((r) => r.msg)).toEqual([
      'pushed', // the action's own push
      'version committed',
      'action',
      'pushed', // the worker's retry, from the outbox entry
    ]);
    expect(ours.at(-1)).toMatchObject({ appId, version: version! });
    expect(ours.find((r) => r.msg === 'action')).toMatchObject({
      action: 'saveConfig',
      status: 'ok',
    });
  });

  it('takes a usable X-Request-Id from the caller and makes one up otherwise', async () => {
    const { metaFromHeaders } = await import('@/lib/request-meta');
    expect(metaFromHeaders(new Headers({ 'x-request-id': 'deploy-1234-abcd' })).requestId).toBe(
      'deploy-1234-abcd',
    );
    for (const forged of ['a b c d e f g h', 'x'.repeat(200), 'short', '"}{"injected":1']) {
      const id = metaFromHeaders(new Headers({ 'x-request-id': forged })).requestId;
      expect(id).not.toBe(forged);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
