import { describe, expect, it } from 'vitest';
import { DeploymentConfigError, parseDeployments } from './deployment-spec';

const legacy = { name: 'legacy', primary: { region: 'us-east-1', url: 'redis://10.0.0.1:6379' } };
const global = {
  name: 'global',
  primary: { region: 'us-east-1', url: 'redis://10.0.1.1:6379' },
  replicas: [{ region: 'eu-west-1', url: 'redis://10.0.2.1:6379' }],
};

function declared(value: unknown, lookup: Record<string, string> = {}) {
  return parseDeployments({
    declared: { text: JSON.stringify(value), origin: 'CACHE_DEPLOYMENTS' },
    lookup: (name) => lookup[name],
  });
}

describe('parseDeployments', () => {
  it('reads declared deployments in order, the first being the initial active one', () => {
    const list = declared([legacy, global]);
    expect(list.map((d) => d.name)).toEqual(['legacy', 'global']);
    expect(list[0]?.replicas).toEqual([]);
    expect(list[1]?.replicas).toEqual([
      { deployment: 'global', region: 'eu-west-1', url: 'redis://10.0.2.1:6379', role: 'replica' },
    ]);
    expect(list[1]?.connection).toEqual({ tls: false });
  });

  it('keeps the three single-deployment variables working', () => {
    const [only, ...rest] = parseDeployments({
      single: {
        name: 'default',
        primary: { name: 'us-east-1', url: 'redis://127.0.0.1:7000' },
        replicas: [{ name: 'eu-west-1', url: 'redis://127.0.0.1:7001' }],
      },
      lookup: () => undefined,
    });
    expect(rest).toEqual([]);
    expect(only?.primary).toEqual({
      deployment: 'default',
      region: 'us-east-1',
      url: 'redis://127.0.0.1:7000',
      role: 'primary',
    });
    expect(only?.replicas.map((r) => r.region)).toEqual(['eu-west-1']);
  });

  it('takes credentials from the variables an entry names, and TLS from rediss://', () => {
    const [d] = declared(
      [
        {
          ...legacy,
          primary: { region: 'us-east-1', url: 'rediss://cache.example:6380' },
          usernameVar: 'LEGACY_USER',
          passwordVar: 'LEGACY_PASSWORD',
        },
      ],
      { LEGACY_USER: 'propagate', LEGACY_PASSWORD: 's3cret' },
    );
    expect(d?.connection).toEqual({ tls: true, username: 'propagate', password: 's3cret' });
  });

  it('takes the CA file and server name of a TLS deployment', () => {
    const [d] = declared([
      { ...legacy, tls: true, tlsCaFile: '/etc/propagate/ca.pem', tlsServername: 'cache.internal' },
    ]);
    expect(d?.connection).toEqual({
      tls: true,
      tlsCaFile: '/etc/propagate/ca.pem',
      tlsServername: 'cache.internal',
    });
  });

  it('gives the single-deployment form the user and TLS settings of its variables', () => {
    const [only] = parseDeployments({
      single: {
        name: 'default',
        primary: { name: 'us-east-1', url: 'rediss://127.0.0.1:7000' },
        replicas: [],
        connection: { username: 'propagate', password: 'pw', tlsCaFile: '/ca.pem' },
      },
      lookup: () => undefined,
    });
    expect(only?.connection).toEqual({
      tls: true,
      username: 'propagate',
      password: 'pw',
      tlsCaFile: '/ca.pem',
    });
  });

  it.each([
    ['not JSON', '{', /CACHE_DEPLOYMENTS is not valid JSON/],
    ['not a list', JSON.stringify({ name: 'x' }), /must be a JSON array/],
    ['empty', '[]', /at least one deployment/],
    [
      'a bad URL, naming the entry',
      JSON.stringify([legacy, { ...global, replicas: [{ region: 'eu-west-1', url: 'http://x' }] }]),
      /deployment "global", replicas\.0\.url: must be a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      'a password inside a URL',
      JSON.stringify([{ ...legacy, primary: { region: 'us-east-1', url: 'redis://u:pw@h:1' } }]),
      /deployment "legacy", primary\.url: must not contain a password/,
    ],
    [
      'a duplicate name',
      JSON.stringify([legacy, { ...global, name: 'legacy' }]),
      /deployment "legacy" is declared twice/,
    ],
    [
      'a region listed twice',
      JSON.stringify([
        { ...global, replicas: [{ region: 'us-east-1', url: 'redis://10.0.2.1:6379' }] },
      ]),
      /deployment "global".*region us-east-1 is listed twice/,
    ],
    ['an unknown field', JSON.stringify([{ ...legacy, password: 'x' }]), /deployment "legacy"/],
    [
      'a bad name',
      JSON.stringify([{ ...legacy, name: 'Legacy Cache' }]),
      /deployment "Legacy Cache", name: a deployment name is lower-case/,
    ],
    [
      'a missing credential variable',
      JSON.stringify([{ ...legacy, passwordVar: 'LEGACY_PASSWORD' }]),
      /deployment "legacy" names LEGACY_PASSWORD for its password, but LEGACY_PASSWORD is not set/,
    ],
  ])('refuses %s with a message naming it', (_case, text, message) => {
    expect(() =>
      parseDeployments({
        declared: { text, origin: 'CACHE_DEPLOYMENTS' },
        lookup: () => undefined,
      }),
    ).toThrow(message);
  });

  it('asks for a deployment when none is configured', () => {
    expect(() => parseDeployments({ lookup: () => undefined })).toThrow(DeploymentConfigError);
  });

  it('reads a cluster deployment: its primary’s seeds and each region’s nodes', () => {
    const [d] = declared([
      {
        name: 'clustered',
        cluster: true,
        primary: {
          region: 'us-east-1',
          url: 'redis://10.0.1.1:6379',
          nodes: ['redis://10.0.1.2:6379'],
        },
        replicas: [
          { region: 'eu-west-1', url: 'redis://10.0.2.1:6379', nodes: ['redis://10.0.2.2:6379'] },
        ],
      },
    ]);
    expect(d?.cluster).toBe(true);
    expect(d?.primary.nodes).toEqual(['redis://10.0.1.2:6379']);
    expect(d?.replicas[0]?.nodes).toEqual(['redis://10.0.2.2:6379']);
    expect(declared([global])[0]?.cluster).toBeUndefined();
  });

  it('refuses node lists on a deployment that is not a cluster', () => {
    expect(() =>
      declared([{ ...legacy, primary: { ...legacy.primary, nodes: ['redis://10.0.0.2:6379'] } }]),
    ).toThrow(/nodes are for cluster deployments only/);
  });
});
