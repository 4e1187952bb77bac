import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newCredentials } from './acl';
import { parseDeployments } from '../lib/model/deployment-spec';
import { envRecord, formatEnv, parseEnv, withoutCacheTargets, type StackState } from './state';

const state: StackState = {
  dir: '/abs/stack',
  phase: 'ready',
  startedAt: '2026-11-26T00:00:00.000Z',
  supervisorPid: 1,
  controlPort: 2,
  token: 't',
  config: {
    primaryRegion: 'us-east-1',
    regions: [],
    mongo: 'auto',
    credentials: newCredentials(),
    cacheSecretKey: randomBytes(32).toString('base64'),
  },
  primary: { region: 'us-east-1', port: 7000, pid: 3 },
  replicas: [
    { region: 'eu-west-1', port: 7001, pid: 4, proxyPort: 8001, delayMs: 35, partitioned: false },
    { region: 'ap-south-1', port: 7002, pid: 5, proxyPort: 8002, delayMs: 95, partitioned: false },
  ],
  mongo: {
    tier: 'wire-server',
    uri: 'mongodb://127.0.0.1:27100/?directConnection=true',
    pid: 6,
    port: 27100,
  },
};

describe('the env file contract', () => {
  it('names exactly the variables the app reads; replicas point at the servers, not the proxies', () => {
    expect(envRecord(state)).toEqual({
      MONGODB_URI: 'mongodb://127.0.0.1:27100/?directConnection=true',
      MONGODB_DB: 'propagate',
      REDIS_PRIMARY_REGION: 'us-east-1',
      REDIS_PRIMARY_URL: 'redis://127.0.0.1:7000',
      REDIS_REPLICAS: 'eu-west-1=redis://127.0.0.1:7001,ap-south-1=redis://127.0.0.1:7002',
      REDIS_USERNAME: 'propagate',
      REDIS_PASSWORD: state.config.credentials.writer.password,
      CONFIG_READER_USERNAME: 'config-reader',
      CONFIG_READER_PASSWORD: state.config.credentials.reader.password,
      CONFIG_REPORTER_USERNAME: 'config-reporter',
      CONFIG_REPORTER_PASSWORD: state.config.credentials.reporter.password,
      DEVSTACK_REDIS_ADMIN_USERNAME: 'devstack-admin',
      DEVSTACK_REDIS_ADMIN_PASSWORD: state.config.credentials.admin.password,
      CACHE_SECRET_KEYS: `devstack-1:${state.config.cacheSecretKey}`,
      CACHE_SECRET_KEY_ID: 'devstack-1',
      PROPAGATE_DEVSTACK_DIR: '/abs/stack',
      WEBHOOKS_ALLOW_LOOPBACK: '1',
    });
  });

  it('keeps passwords out of the URLs and every password distinct', () => {
    const env = envRecord(state);
    expect(env.REDIS_PRIMARY_URL).not.toContain('@');
    const { admin, writer, reader, reporter, replication } = state.config.credentials;
    const passwords = [admin, writer, reader, reporter, replication].map((u) => u.password);
    expect(new Set(passwords).size).toBe(passwords.length);
  });

  it('round-trips through the file format, URIs with = and ? included', () => {
    const env = envRecord(state);
    expect(parseEnv(`# comment\n\n${formatEnv(env)}`)).toEqual(env);
  });

  it('leaves Mongo out when the stack runs without it', () => {
    expect(envRecord({ ...state, mongo: null })).not.toHaveProperty('MONGODB_URI');
  });

  it('declares a cluster stack in CACHE_DEPLOYMENTS, each region by its nodes in shard order', () => {
    const node = (region: string, role: 'primary' | 'replica', shard: number, port: number) => ({
      region,
      role,
      shard,
      port,
      busPort: port + 100,
      pid: null,
    });
    const cluster = [
      node('us-east-1', 'primary', 1, 7101),
      node('us-east-1', 'primary', 0, 7100),
      node('us-east-1', 'primary', 2, 7102),
      ...[0, 1, 2].map((shard) => node('eu-west-1', 'replica', shard, 7200 + shard)),
    ];
    const env = envRecord({ ...state, replicas: [], cluster });
    expect(env).not.toHaveProperty('REDIS_PRIMARY_URL');
    const [d, ...rest] = parseDeployments({
      declared: { text: env.CACHE_DEPLOYMENTS ?? '', origin: 'CACHE_DEPLOYMENTS' },
      lookup: (name) => env[name],
    });
    expect(rest).toEqual([]);
    expect(d?.cluster).toBe(true);
    expect([d?.primary.url, ...(d?.primary.nodes ?? [])]).toEqual([
      'redis://127.0.0.1:7100',
      'redis://127.0.0.1:7101',
      'redis://127.0.0.1:7102',
    ]);
    expect(d?.replicas.map((r) => [r.region, r.url, ...(r.nodes ?? [])])).toEqual([
      ['eu-west-1', 'redis://127.0.0.1:7200', 'redis://127.0.0.1:7201', 'redis://127.0.0.1:7202'],
    ]);
    expect(d?.connection.username).toBe('propagate');
    expect(withoutCacheTargets({ ...process.env, ...env })).not.toHaveProperty('CACHE_DEPLOYMENTS');
  });
});
