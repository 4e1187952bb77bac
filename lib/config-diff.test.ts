import { describe, expect, it } from 'vitest';
import { diffConfigs, fieldLabel, summarizeDiff, type ConfigChange } from '@/lib/config-diff';
import { defaultConfig, type AppConfig } from '@/lib/schemas/config';
import { containsSecret } from '@/lib/secrets';

function base(): AppConfig {
  const config = defaultConfig('Acme');
  config.signIn.social = [
    { provider: 'google', clientId: 'g-client', clientSecret: 'g-secret-123' },
    { provider: 'github', clientId: 'gh-client', clientSecret: 'gh-secret-456' },
  ];
  config.urls.redirectUrls = ['https://acme.com/a', 'https://acme.com/b'];
  config.webhooks = [
    {
      id: 'orders',
      url: 'https://hooks.acme.com/o',
      events: ['user.created'],
      signingSecret: 'whsec_a',
    },
  ];
  return config;
}

function changed(edit: (c: AppConfig) => void): {
  before: AppConfig;
  after: AppConfig;
  changes: ConfigChange[];
} {
  const before = base();
  const after = structuredClone(before);
  edit(after);
  return { before, after, changes: diffConfigs(before, after) };
}

describe('diffConfigs', () => {
  it('finds nothing between equal configs', () => {
    expect(diffConfigs(base(), base())).toEqual([]);
  });

  it('reports changed values with labels, ordered by path', () => {
    const { changes } = changed((c) => {
      c.sessions.refreshTokenLifetimeSeconds = 86_400;
      c.branding.primaryColor = '#000000';
      c.features.adaptiveMfa = true;
    });
    expect(changes).toEqual([
      {
        path: 'branding.primaryColor',
        label: 'Branding › Primary colour',
        kind: 'changed',
        before: '#2563EB',
        after: '#000000',
      },
      {
        path: 'features.adaptiveMfa',
        label: 'Features › Adaptive MFA',
        kind: 'changed',
        before: false,
        after: true,
      },
      {
        path: 'sessions.refreshTokenLifetimeSeconds',
        label: 'Sessions › Refresh token lifetime',
        kind: 'changed',
        before: 2_592_000,
        after: 86_400,
      },
    ]);
  });

  it('reports list values added and removed at the list path', () => {
    const { changes } = changed((c) => {
      c.urls.redirectUrls = ['https://acme.com/b', 'https://acme.com/c'];
    });
    expect(changes).toEqual([
      {
        path: 'urls.redirectUrls',
        label: 'URLs › Redirect URLs',
        kind: 'removed',
        before: 'https://acme.com/a',
      },
      {
        path: 'urls.redirectUrls',
        label: 'URLs › Redirect URLs',
        kind: 'added',
        after: 'https://acme.com/c',
      },
    ]);
  });

  it('matches providers by name, so a change inside one is not a change of its position', () => {
    const { changes } = changed((c) => {
      c.signIn.social = [
        { provider: 'github', clientId: 'gh-client-2', clientSecret: 'gh-secret-456' },
      ];
    });
    expect(changes).toEqual([
      {
        path: 'signIn.social.github.clientId',
        label: 'Sign-in › Social providers › GitHub › Client ID',
        kind: 'changed',
        before: 'gh-client',
        after: 'gh-client-2',
      },
      {
        path: 'signIn.social.google',
        label: 'Sign-in › Social providers › Google',
        kind: 'removed',
        before: { provider: 'google', clientId: 'g-client', clientSecret: '[secret]' },
      },
    ]);
  });

  it('reports a reorder as one change of the list', () => {
    const { changes } = changed((c) => {
      c.signIn.social.reverse();
    });
    expect(changes).toEqual([
      {
        path: 'signIn.social',
        label: 'Sign-in › Social providers',
        kind: 'changed',
        before: ['google', 'github'],
        after: ['github', 'google'],
      },
    ]);
  });

  it('says a secret changed without showing either value', () => {
    const { before, after, changes } = changed((c) => {
      c.signIn.social[0]!.clientSecret = 'g-secret-new';
      c.webhooks[0]!.signingSecret = 'whsec_new';
    });
    expect(changes).toEqual([
      {
        path: 'signIn.social.google.clientSecret',
        label: 'Sign-in › Social providers › Google › Client secret',
        kind: 'changed',
        secret: true,
      },
      {
        path: 'webhooks.orders.signingSecret',
        label: 'Webhooks › orders › Signing secret',
        kind: 'changed',
        secret: true,
      },
    ]);
    const text = JSON.stringify(changes) + summarizeDiff(changes);
    expect(containsSecret(text, before) || containsSecret(text, after)).toBe(false);
  });

  it('hides secrets inside added and removed items', () => {
    const { before, after, changes } = changed((c) => {
      c.signIn.social.push({
        provider: 'apple',
        clientId: 'a-client',
        clientSecret: 'apple-secret',
      });
      c.webhooks = [
        {
          id: 'crm',
          url: 'https://hooks.acme.com/c',
          events: ['user.deleted'],
          signingSecret: 'whsec_c',
        },
      ];
    });
    expect(changes.map((c) => [c.kind, c.path])).toEqual([
      ['added', 'signIn.social.apple'],
      ['added', 'webhooks.crm'],
      ['removed', 'webhooks.orders'],
    ]);
    expect(changes[0]?.after).toEqual({
      provider: 'apple',
      clientId: 'a-client',
      clientSecret: '[secret]',
    });
    const text = JSON.stringify(changes);
    expect(containsSecret(text, before) || containsSecret(text, after)).toBe(false);
  });

  it('labels registration fields by their name', () => {
    const { changes } = changed((c) => {
      c.registration.fields = [{ name: 'phone', required: true }];
    });
    expect(changes).toEqual([
      {
        path: 'registration.fields.phone',
        label: 'Registration › Sign-up fields › Phone number',
        kind: 'added',
        after: { name: 'phone', required: true },
      },
    ]);
  });
});

describe('fieldLabel', () => {
  it.each([
    ['sessions.refreshTokenLifetimeSeconds', 'Sessions › Refresh token lifetime'],
    ['signIn.social.0.clientId', 'Sign-in › Social providers › #1 › Client ID'],
    ['signIn.social.google.clientSecret', 'Sign-in › Social providers › Google › Client secret'],
    ['urls.redirectUrls.2', 'URLs › Redirect URLs › #3'],
    ['webhooks.orders.events.0', 'Webhooks › orders › Events › #1'],
    ['rateLimits.lockout.threshold', 'Rate limits › Lockout › Failed attempts before lockout'],
    ['branding.unknownThing', 'Branding › unknownThing'],
    ['', 'Configuration'],
  ])('%s → %s', (path, label) => {
    expect(fieldLabel(path)).toBe(label);
  });
});

describe('summarizeDiff', () => {
  const change = (label: string): ConfigChange => ({ path: label, label, kind: 'changed' });

  it.each([
    [[], 'No changes'],
    [[change('Branding › Primary colour')], '1 change: Branding › Primary colour'],
    [[change('A'), change('B'), change('A')], '3 changes: A, B'],
    [['A', 'B', 'C', 'D', 'E', 'F', 'G'].map(change), '7 changes: A, B, C, D, E and 2 more'],
  ])('%#', (changes, summary) => {
    expect(summarizeDiff(changes)).toBe(summary);
  });
});
