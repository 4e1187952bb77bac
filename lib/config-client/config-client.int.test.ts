import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../../devstack/endpoints';
import { fault, redisAs, stackStatus, waitFor } from '../../test/helpers/devstack';
import { configKey, UPDATES_CHANNEL, type UpdateMessage } from '../contract/cache-layout';
import { canonicalJson, checksum } from '../contract/canonical-json';
import { pushToPrimary } from '../propagation/push';
import { type ConfigChange, type ConfigClient, type ConfigClientError } from './index';
import {
  instanceReportKey,
  instancesIndexKey,
  type InstanceReport,
} from '../contract/report-layout';
import { readerClient, reportToPrimary } from '../../test/helpers/config-clients';

/**
 * The config client against the real devstack: a primary and one replica per region, real
 * replication, real pub/sub, faults injected on a replica's link or process.
 */
const { primary, replicas } = endpoints();
const [near, far] = replicas;
if (!near || !far) throw new Error('these tests need at least two replica regions');

let writer: Redis;
const clients: ConfigClient[] = [];
const appIds: string[] = [];

beforeAll(() => {
  writer = redisAs('writer', primary.url);
});

afterAll(async () => {
  await writer.quit();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  // Leave the shared stack as we found it, whatever failed.
  for (const r of replicas) {
    await fault(r.region, 'revive');
    await fault(r.region, 'heal');
  }
  await waitFor(async () => (await stackStatus()).healthy, 30_000, 'the stack to be healthy again');
  for (const appId of appIds.splice(0)) {
    const members: string[] = await writer.zrange(instancesIndexKey(appId), 0, '-1');
    await writer.del(
      configKey(appId),
      instancesIndexKey(appId),
      ...members.map((m) => instanceReportKey(appId, m)),
    );
  }
});

function newAppId(): string {
  const appId = `cc-${randomUUID().slice(0, 8)}`;
  appIds.push(appId);
  return appId;
}

function loginConfig(version: number) {
  return {
    branding: { displayName: `Acme v${version}`, primaryColor: '#2563EB' },
    mfa: { policy: 'optional' },
  };
}

/** A save as Propagate does it: compare-and-set on the primary, then PUBLISH, in one script. */
async function save(appId: string, version: number, data: unknown = loginConfig(version)) {
  const outcome = await pushToPrimary(writer, {
    appId,
    version,
    checksum: checksum(data),
    data,
    committedAt: new Date(),
  });
  expect(outcome.status).toBe('written');
}

/** A valid entry written WITHOUT its announcement: what a lost pub/sub message looks like. */
async function writeSilently(appId: string, version: number, data: unknown = loginConfig(version)) {
  await writer.hset(configKey(appId), {
    version: String(version),
    checksum: checksum(data),
    body: canonicalJson(data),
    committedAt: String(Date.now()),
    pushedAt: String(Date.now()),
  });
}

async function publish(message: UpdateMessage) {
  await writer.publish(UPDATES_CHANNEL, JSON.stringify(message));
}

function client(
  region: { region: string; url: string },
  options: { stampCheckIntervalMs?: number; report?: boolean } = {},
) {
  const c = readerClient(region, {
    stampCheckIntervalMs: options.stampCheckIntervalMs ?? 500,
    readyTimeoutMs: 5_000,
    ...(options.report ? { report: reportToPrimary(500) } : {}),
  });
  clients.push(c);
  return c;
}

function record<T>(c: ConfigClient) {
  const changes: ConfigChange<T>[] = [];
  const errors: ConfigClientError[] = [];
  c.onChange((change) => changes.push(change as ConfigChange<T>));
  c.onError((error) => errors.push(error));
  return { changes, errors };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('config client', () => {
  it('loads the verified config, then follows every save in every region within the bound', async () => {
    const appId = newAppId();
    await save(appId, 1);
    const fleet = replicas.map((r) => client(r, { report: true }));
    for (const c of fleet) expect((await c.ready(appId)).version).toBe(1);
    expect(fleet[0]?.get(appId).config).toEqual(loginConfig(1));

    const savedAt = Date.now();
    await save(appId, 2);
    const delays = await Promise.all(
      fleet.map(async (c) => {
        await waitFor(() => c.get(appId).version === 2, 2_000, `v2 in ${c.region}`, 1);
        return c.get(appId).appliedAt - savedAt;
      }),
    );
    // Zero-latency stack: message + HGETALL, a few ms; the bound leaves room for a busy machine.
    expect(Math.max(...delays)).toBeLessThan(1_000);
    for (const c of fleet) {
      // v2 may have come by a stamp check before the subscription was live: wait for both
      // connections and the replica's first INFO rather than read the status at once.
      await expect
        .poll(() => c.status(), { timeout: 5_000 })
        .toMatchObject({ connected: true, stalenessMs: 0, replicaLinkUp: true });
      expect(c.staleness(appId)).toBe(0);
    }

    // Every instance tells the primary what it holds.
    await waitFor(
      async () => {
        const raw = await Promise.all(
          fleet.map((c) => writer.get(instanceReportKey(appId, c.instanceId))),
        );
        return raw.every((r) => r && (JSON.parse(r) as InstanceReport).version === 2);
      },
      3_000,
      'every instance to report v2',
    );
    const report = JSON.parse(
      (await writer.get(instanceReportKey(appId, fleet[0]?.instanceId ?? ''))) ?? '{}',
    ) as InstanceReport;
    expect(report).toMatchObject({
      appId,
      region: near.region,
      version: 2,
      checksum: checksum(loginConfig(2)),
      stalenessMs: 0,
    });
    expect(await writer.zcard(instancesIndexKey(appId))).toBe(fleet.length);
  });

  it('never regresses on duplicate, out-of-order or lying messages', async () => {
    const appId = newAppId();
    for (const v of [1, 2, 3]) await save(appId, v);
    const c = client(near, { stampCheckIntervalMs: 200 });
    const { changes } = record(c);
    expect((await c.ready(appId)).version).toBe(3);

    const stamp = (version: number): UpdateMessage => ({
      appId,
      version,
      checksum: checksum(loginConfig(version)),
      committedAt: Date.now(),
    });
    await publish(stamp(3)); // duplicate
    await publish(stamp(2)); // late
    await publish(stamp(1));
    // A message for a newer version whose data is not there: the client reads the hash and finds v3.
    await publish(stamp(9));
    // An older version lands in the cache after a newer one (a stale writer bypassing the CAS).
    await writeSilently(appId, 2);
    await publish(stamp(2));
    await publish(stamp(10));
    await waitFor(() => c.stats().ignored >= 5, 3_000, 'the messages to be ignored');
    await sleep(600); // a few stamp checks see v2 in the cache
    expect(c.get(appId).version).toBe(3);
    expect(changes.map((ch) => ch.current?.version)).toEqual([3]);

    await save(appId, 4);
    await waitFor(() => c.get(appId).version === 4, 2_000, 'v4');
    expect(changes.map((ch) => [ch.current?.version, ch.source])).toEqual([
      [3, 'load'],
      [4, 'message'],
    ]);
  });

  it('rejects a corrupted body, reports it once, and keeps serving the last good config', async () => {
    const appId = newAppId();
    await save(appId, 1);
    const c = client(near, { stampCheckIntervalMs: 200 });
    const { errors } = record(c);
    await c.ready(appId);

    // Version 2 whose body is not what its checksum says, written straight to the primary.
    const announced = loginConfig(2);
    await writer.hset(configKey(appId), {
      version: '2',
      checksum: checksum(announced),
      body: canonicalJson({ ...announced, mfa: { policy: 'off' } }),
      committedAt: String(Date.now()),
      pushedAt: String(Date.now()),
    });
    await publish({ appId, version: 2, checksum: checksum(announced), committedAt: Date.now() });

    const error = await waitFor(
      () => errors.find((e) => e.kind === 'checksum-mismatch'),
      3_000,
      'the mismatch report',
    );
    expect(error).toMatchObject({ appId, version: 2 });
    await sleep(700); // several stamp checks see the same bad entry
    expect(errors.filter((e) => e.kind === 'checksum-mismatch')).toHaveLength(1);
    expect(c.stats().rejected).toBe(1);
    expect(c.get(appId).version).toBe(1);
    expect(c.get(appId).config).toEqual(loginConfig(1));
    // It knows it is behind a version it could not apply, and for how long.
    const first = c.staleness(appId);
    expect(first).toBeGreaterThan(0);
    await sleep(100);
    expect(c.staleness(appId)).toBeGreaterThan(first);

    await save(appId, 3);
    await waitFor(() => c.get(appId).version === 3, 2_000, 'the next good version');
    expect(c.staleness(appId)).toBe(0);
  });

  it('picks up a version whose message was lost with the periodic stamp check', async () => {
    const appId = newAppId();
    await save(appId, 1);
    const c = client(near, { stampCheckIntervalMs: 300 });
    const { changes } = record(c);
    await c.ready(appId);
    // Once subscribed and past the re-checks that loading starts (checks run one at a time, so
    // three more periodic ones mean those have finished), only the periodic check can find a
    // version that was never announced.
    await waitFor(() => c.status().connected, 3_000, 'subscribed');
    const checksSoFar = c.stats().stampChecks;
    await waitFor(() => c.stats().stampChecks >= checksSoFar + 3, 3_000, 'periodic checks');
    await writeSilently(appId, 2);
    await waitFor(() => c.get(appId).version === 2, 3_000, 'v2 by stamp check');
    expect(changes.at(-1)?.source).toBe('stamp-check');
  });

  it('waits in ready() for an app that has no config yet, and says why on timeout', async () => {
    const appId = newAppId();
    const c = client(near);
    await expect(c.ready(appId, { timeoutMs: 300 })).rejects.toThrow(
      /key propagate:cfg:.* is missing/,
    );
    expect(() => c.get(appId)).toThrow(/not loaded yet/);
    const waiting = c.ready(appId);
    await save(appId, 1);
    expect((await waiting).version).toBe(1);
  });

  it('keeps serving through a partitioned link, reports staleness, and catches up after heal', async () => {
    const appId = newAppId();
    await save(appId, 1);
    const cut = client(near, { stampCheckIntervalMs: 500, report: true });
    const healthy = client(far, { stampCheckIntervalMs: 500 });
    await Promise.all([cut.ready(appId), healthy.ready(appId)]);
    const { changes } = record(cut);

    await fault(near.region, 'partition');
    // The announcement of v2 is lost too: only the client's own re-checks can catch up.
    await writeSilently(appId, 2);
    await waitFor(() => healthy.get(appId).version === 2, 3_000, 'v2 in the healthy region');
    expect(cut.get(appId).version).toBe(1);

    // The replica answers with its old stamp; only its own link state gives the partition away
    // (after repl-timeout, 5 s on the devstack).
    await waitFor(
      () => cut.status().replicaLinkUp === false,
      15_000,
      'the replica to report its link down',
    );
    expect(cut.get(appId).version).toBe(1);
    expect(cut.status().connected).toBe(true);
    // At least as long as the replica has been cut off (a lower bound: it went quiet repl-timeout earlier).
    await waitFor(() => cut.staleness(appId) > 0, 3_000, 'staleness to grow');
    await waitFor(
      async () => {
        const raw = await writer.get(instanceReportKey(appId, cut.instanceId));
        return raw && (JSON.parse(raw) as InstanceReport).stalenessMs > 0;
      },
      3_000,
      'the instance to report its staleness',
    );

    await fault(near.region, 'heal');
    await waitFor(() => cut.get(appId).version === 2, 15_000, 'v2 after heal');
    expect(changes.map((ch) => ch.source)).not.toContain('message');
    await waitFor(() => cut.status().stalenessMs === 0, 5_000, 'staleness back to 0');
  });

  it('serves the last good config while its replica is down, with growing staleness, and re-checks on reconnect', async () => {
    const appId = newAppId();
    await save(appId, 1);
    // A long period: only the re-check after the reconnect can find the new version in time.
    const c = client(near, { stampCheckIntervalMs: 60_000 });
    const { changes, errors } = record(c);
    await c.ready(appId);

    await fault(near.region, 'kill');
    await waitFor(() => !c.status().connected, 5_000, 'the client to notice');
    expect(errors.some((e) => e.kind === 'unreachable')).toBe(true);
    const first = c.staleness(appId);
    await sleep(300);
    const second = c.staleness(appId);
    expect(second).toBeGreaterThan(first);
    expect(c.status().stalenessMs).toBeGreaterThanOrEqual(300);
    expect(c.get(appId)).toMatchObject({ version: 1, config: loginConfig(1) });

    await writeSilently(appId, 2); // lands on the primary while the replica is dead; no message
    await fault(near.region, 'revive');
    await waitFor(() => c.get(appId).version === 2, 20_000, 'v2 after the replica is back');
    expect(changes.at(-1)?.source).not.toBe('message');
    expect(c.stats().reconnects).toBeGreaterThanOrEqual(1);
    await waitFor(
      () => c.status().connected && c.status().stalenessMs === 0,
      5_000,
      'back in contact',
    );
  });

  it('closes cleanly: no sockets or timers left, and its reports are withdrawn', async () => {
    const appId = newAppId();
    await save(appId, 1);
    const handles = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout')
        .length;
    const before = handles();
    const c = readerClient(near, { report: reportToPrimary(200) });
    await c.ready(appId);
    await waitFor(
      async () => (await writer.zcard(instancesIndexKey(appId))) === 1,
      3_000,
      'the first report',
    );
    expect(handles()).toBeGreaterThan(before);
    await c.close();
    await sleep(50);
    expect(handles()).toBeLessThanOrEqual(before);
    expect(await writer.zcard(instancesIndexKey(appId))).toBe(0);
    expect(await writer.exists(instanceReportKey(appId, c.instanceId))).toBe(0);
    await expect(c.ready(appId)).rejects.toThrow(/closed/);
  });
});
