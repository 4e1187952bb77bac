import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../../devstack/endpoints';
import { redisAs, waitFor } from '../../test/helpers/devstack';
import { configKey } from '../../lib/contract/cache-layout';
import { checksum } from '../../lib/contract/canonical-json';
import { instancesIndexKey } from '../../lib/contract/report-layout';
import { pushToPrimary } from '../../lib/propagation/push';
import { defaultConfig, type AppConfig } from '../../lib/schemas/config';
import { fleetTargetsFromEnv, startFleet, type Fleet } from './start-fleet';

/** The example service as the demo runs it: real processes, one per region here, on the devstack. */
const appId = `fleet-${randomBytes(4).toString('hex')}`;
const SECRET = `never-served-${randomBytes(16).toString('hex')}`;
const { primary } = endpoints();
let writer: Redis;
let fleet: Fleet;

function config(displayName: string): AppConfig {
  const c = defaultConfig(displayName);
  return {
    ...c,
    signIn: {
      ...c.signIn,
      social: [{ provider: 'github', clientId: 'gh-client', clientSecret: SECRET }],
    },
    webhooks: [
      {
        id: 'orders',
        url: 'https://hooks.example.test/orders',
        events: ['user.created'],
        signingSecret: SECRET,
      },
    ],
  };
}

async function save(version: number, data: AppConfig) {
  await pushToPrimary(writer, {
    appId,
    version,
    checksum: checksum(data),
    data,
    committedAt: new Date(),
  });
}

beforeAll(async () => {
  writer = redisAs('writer', primary.url);
  await save(1, config('Fleet v1'));
  fleet = await startFleet({
    ...fleetTargetsFromEnv(process.env),
    apps: [appId],
    perRegion: 1,
    idPrefix: `fleet-test-${appId}`,
    reportIntervalMs: 500,
  });
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
  await writer.del(configKey(appId), instancesIndexKey(appId));
  await writer.quit();
});

describe('login-settings example service', () => {
  it('serves the login settings without any secret, as JSON and as a page', async () => {
    const instance = fleet.instances[0];
    if (!instance) throw new Error('no instance');
    const response = await fetch(`${instance.url}/apps/${appId}/login-settings`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-config-version')).toBe('1');
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('gh-client');
    expect(JSON.parse(text)).toMatchObject({
      appId,
      version: 1,
      stalenessMs: 0,
      settings: {
        branding: { displayName: 'Fleet v1' },
        signIn: { password: true, social: ['github'] },
      },
    });
    const page = await (await fetch(`${instance.url}/apps/${appId}/login`)).text();
    expect(page).toContain('Sign in to Fleet v1');
    expect(page).toContain('Continue with GitHub');
    expect(page).not.toContain(SECRET);
    const health = (await (await fetch(`${instance.url}/healthz`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({
      status: 'ok',
      connected: true,
      apps: { [appId]: { version: 1 } },
    });
    expect((await fetch(`${instance.url}/apps/some-other-app/login-settings`)).status).toBe(404);
  });

  it('a save reaches every instance in every region, and each reports it', async () => {
    await save(2, config('Fleet v2'));
    for (const instance of fleet.instances) {
      await waitFor(
        async () => {
          const response = await fetch(`${instance.url}/apps/${appId}/login-settings`);
          return response.headers.get('x-config-version') === '2';
        },
        3_000,
        `v2 at ${instance.instanceId}`,
      );
    }
    await waitFor(
      async () => (await writer.zcard(instancesIndexKey(appId))) === fleet.instances.length,
      3_000,
      'every report',
    );
  });

  it('withdraws its reports when stopped', async () => {
    await fleet.stop();
    expect(await writer.zcard(instancesIndexKey(appId))).toBe(0);
  });
});
