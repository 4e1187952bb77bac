import { describe, expect, it } from 'vitest';
import {
  MAX_CONFIG_BYTES,
  SECRET_UNCHANGED,
  configInputSchema,
  configSchema,
  defaultConfig,
  parseConfigInput,
  type AppConfig,
} from '@/lib/schemas/config';

/** A valid config that uses every section, lists included. */
function fullConfig(): AppConfig {
  const config = defaultConfig('Acme Store');
  config.signIn.social = [
    {
      provider: 'google',
      clientId: 'g-client',
      clientSecret: 'gsec_Kp2vX9qLw4Rt7Yb1Nc8Ze3Hf6Jm0Ud5S',
      scopes: ['openid', 'email'],
    },
    {
      provider: 'github',
      clientId: 'gh-client',
      clientSecret: 'ghsec_Qe7Wr2Ty5Ui8Op1As4Df6Gh9Jk3Lz0X',
    },
  ];
  config.urls = {
    allowedOrigins: ['https://store.acme.com', 'http://localhost:3000'],
    redirectUrls: [
      'https://store.acme.com/callback',
      'https://*.acme.com/cb',
      'http://localhost:3000/cb',
    ],
    logoutUrls: ['https://store.acme.com/'],
  };
  config.registration.fields = [
    { name: 'given_name', required: true },
    { name: 'phone', required: false },
  ];
  config.webhooks = [
    {
      id: 'orders',
      url: 'https://hooks.acme.com/users',
      events: ['user.created'],
      signingSecret: 'whsec_Hy6Tg3Rf0Ed7Ws4Qa1Zx8Cv5Bn2Mk9',
    },
  ];
  return config;
}

/** Sets `value` at a dotted path (numeric segments index arrays) in a copy of `base`. */
function withValue(base: unknown, path: string, value: unknown): unknown {
  const copy: unknown = structuredClone(base);
  const segments = path.split('.');
  const last = segments.pop() ?? '';
  let target = copy as Record<string, unknown>;
  for (const segment of segments) target = target[segment] as Record<string, unknown>;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

interface InvalidCase {
  name: string;
  /** dotted path → value (undefined removes the field) */
  set: Record<string, unknown>;
  errorAt: string;
  message: string;
}

const invalid: InvalidCase[] = [
  // Cross-field rules
  {
    name: 'no sign-in method',
    set: { 'signIn.password.enabled': false, 'signIn.social': [] },
    errorAt: 'signIn',
    message: 'Turn on at least one way to sign in: password, email link or a social provider',
  },
  {
    name: 'MFA required without factors',
    set: { 'mfa.policy': 'required', 'mfa.factors': [] },
    errorAt: 'mfa.factors',
    message: 'Choose at least one factor when MFA is required',
  },
  {
    name: 'idle timeout longer than the session',
    set: { 'sessions.sessionLifetimeMinutes': 60, 'sessions.idleTimeoutMinutes': 61 },
    errorAt: 'sessions.idleTimeoutMinutes',
    message: 'The idle timeout can’t be longer than the session lifetime',
  },
  {
    name: 'refresh token equal to the access token',
    set: {
      'sessions.accessTokenLifetimeSeconds': 3600,
      'sessions.refreshTokenLifetimeSeconds': 3600,
    },
    errorAt: 'sessions.refreshTokenLifetimeSeconds',
    message: 'Refresh tokens must last longer than access tokens',
  },
  {
    name: 'adaptive MFA with MFA off',
    set: { 'mfa.policy': 'off', 'features.adaptiveMfa': true },
    errorAt: 'features.adaptiveMfa',
    message: 'Adaptive MFA needs MFA to be optional or required',
  },
  {
    name: 'duplicate social provider',
    set: { 'signIn.social.1.provider': 'google' },
    errorAt: 'signIn.social.1.provider',
    message: 'Google is already in the list',
  },
  {
    name: 'duplicate MFA factor',
    set: { 'mfa.factors': ['totp', 'totp'] },
    errorAt: 'mfa.factors.1',
    message: 'This factor is already in the list',
  },
  {
    name: 'duplicate registration field',
    set: { 'registration.fields.1.name': 'given_name' },
    errorAt: 'registration.fields.1.name',
    message: 'This field is already in the list',
  },
  {
    name: 'duplicate redirect URL',
    set: { 'urls.redirectUrls.2': 'https://store.acme.com/callback' },
    errorAt: 'urls.redirectUrls.2',
    message: 'This URL is already in the list',
  },
  // URLs
  {
    name: 'redirect URL without a scheme',
    set: { 'urls.redirectUrls.0': 'store.acme.com/callback' },
    errorAt: 'urls.redirectUrls.0',
    message: 'Enter a full URL starting with https://, like https://app.example.com/callback',
  },
  {
    name: 'plain http redirect URL',
    set: { 'urls.redirectUrls.2': 'http://store.acme.com/cb' },
    errorAt: 'urls.redirectUrls.2',
    message: 'Use https:// (http:// is only allowed for localhost)',
  },
  {
    name: 'wildcard scheme',
    set: { 'urls.redirectUrls.1': '*://store.acme.com/cb' },
    errorAt: 'urls.redirectUrls.1',
    message:
      'A wildcard is only allowed as the first part of the domain, like https://*.example.com',
  },
  {
    name: 'wildcard in the path',
    set: { 'urls.redirectUrls.1': 'https://store.acme.com/*' },
    errorAt: 'urls.redirectUrls.1',
    message:
      'A wildcard is only allowed as the first part of the domain, like https://*.example.com',
  },
  {
    name: 'wildcard over a whole top-level domain',
    set: { 'urls.redirectUrls.1': 'https://*.com/cb' },
    errorAt: 'urls.redirectUrls.1',
    message: 'A wildcard must be followed by a domain, like https://*.example.com',
  },
  {
    name: 'redirect URL with a fragment',
    set: { 'urls.redirectUrls.0': 'https://store.acme.com/callback#token' },
    errorAt: 'urls.redirectUrls.0',
    message: 'Redirect URLs can’t include a # fragment',
  },
  {
    name: 'URL with credentials',
    set: { 'urls.logoutUrls.0': 'https://admin:pw@store.acme.com/' },
    errorAt: 'urls.logoutUrls.0',
    message: 'URLs can’t include a user name or password',
  },
  {
    name: 'origin with a path',
    set: { 'urls.allowedOrigins.0': 'https://store.acme.com/app' },
    errorAt: 'urls.allowedOrigins.0',
    message:
      'Enter only the scheme and domain in lower case, like https://app.example.com (no path or trailing slash)',
  },
  {
    name: 'webhook over http',
    set: { 'webhooks.0.url': 'http://hooks.acme.com/users' },
    errorAt: 'webhooks.0.url',
    message: 'Use https://',
  },
  {
    name: 'logo over http',
    set: { 'branding.logoUrl': 'http://cdn.acme.com/logo.png' },
    errorAt: 'branding.logoUrl',
    message: 'Use https://',
  },
  {
    name: 'too many redirect URLs',
    set: { 'urls.redirectUrls': Array.from({ length: 101 }, (_, i) => `https://acme.com/cb${i}`) },
    errorAt: 'urls.redirectUrls',
    message: 'Add at most 100 redirect URLs',
  },
  // Formats, bounds and types
  {
    name: 'colour name instead of hex',
    set: { 'branding.primaryColor': 'red' },
    errorAt: 'branding.primaryColor',
    message: 'Enter a colour as # and 3 or 6 hex digits, like #1A73E8',
  },
  {
    name: 'hex colour with 4 digits',
    set: { 'branding.primaryColor': '#1234' },
    errorAt: 'branding.primaryColor',
    message: 'Enter a colour as # and 3 or 6 hex digits, like #1A73E8',
  },
  {
    name: 'password shorter than 8',
    set: { 'passwordPolicy.minLength': 7 },
    errorAt: 'passwordPolicy.minLength',
    message: 'Enter a number from 8 to 128 characters',
  },
  {
    name: 'fractional minutes',
    set: { 'signIn.passwordless.linkLifetimeMinutes': 1.5 },
    errorAt: 'signIn.passwordless.linkLifetimeMinutes',
    message: 'Enter a whole number',
  },
  {
    name: 'number sent as text',
    set: { 'rateLimits.signInAttemptsPerMinute': '10' },
    errorAt: 'rateLimits.signInAttemptsPerMinute',
    message: 'Enter a number',
  },
  {
    name: 'switch sent as text',
    set: { 'rateLimits.lockout.enabled': 'yes' },
    errorAt: 'rateLimits.lockout.enabled',
    message: 'Choose on or off',
  },
  {
    name: 'unknown MFA policy',
    set: { 'mfa.policy': 'sometimes' },
    errorAt: 'mfa.policy',
    message: 'Choose a policy: off, optional, required',
  },
  {
    name: 'missing field',
    set: { 'branding.displayName': undefined },
    errorAt: 'branding.displayName',
    message: 'This field is required',
  },
  {
    name: 'blank display name',
    set: { 'branding.displayName': '   ' },
    errorAt: 'branding.displayName',
    message: 'Enter a display name',
  },
  {
    name: 'blank client ID',
    set: { 'signIn.social.0.clientId': '' },
    errorAt: 'signIn.social.0.clientId',
    message: 'Enter the client ID',
  },
  {
    name: 'webhook without events',
    set: { 'webhooks.0.events': [] },
    errorAt: 'webhooks.0.events',
    message: 'Choose at least one event',
  },
  {
    name: 'unknown webhook event',
    set: { 'webhooks.0.events': ['user.exploded'] },
    errorAt: 'webhooks.0.events.0',
    message:
      'Choose an event: user.created, user.updated, user.deleted, user.signed_in, user.signed_out, user.password_changed, user.locked_out, config.changed',
  },
  {
    name: 'webhook id starting with a digit',
    set: { 'webhooks.0.id': '1orders' },
    errorAt: 'webhooks.0.id',
    message: 'Start with a letter, then use lower-case letters, digits, - and _',
  },
  // Unknown fields and MongoDB operator injection
  {
    name: 'unknown field',
    set: { 'branding.fontFamily': 'Comic Sans' },
    errorAt: 'branding',
    message: '“fontFamily” is not a recognised setting',
  },
  {
    name: '$where as a key',
    set: { 'sessions.$where': 'sleep(1000)' },
    errorAt: 'sessions',
    message: 'Field names can’t start with “$” or contain “.”: “$where”',
  },
  {
    name: '$gt as a key inside a list item',
    set: { 'signIn.social.0.$gt': '' },
    errorAt: 'signIn.social.0',
    message: 'Field names can’t start with “$” or contain “.”: “$gt”',
  },
  {
    name: 'dotted key',
    set: { features: { ...defaultConfig('x').features, 'a.b': true } },
    errorAt: 'features',
    message: 'Field names can’t start with “$” or contain “.”: “a.b”',
  },
  {
    name: '$where as a value',
    set: { 'branding.displayName': '$where' },
    errorAt: 'branding.displayName',
    message: 'Values can’t start with “$”',
  },
  {
    name: '$gt as a client ID',
    set: { 'signIn.social.0.clientId': '$gt' },
    errorAt: 'signIn.social.0.clientId',
    message: 'Values can’t start with “$”',
  },
  {
    name: '$ as a URL',
    set: { 'urls.logoutUrls.0': '$where' },
    errorAt: 'urls.logoutUrls.0',
    message: 'Values can’t start with “$”',
  },
  {
    name: 'operator object instead of a value',
    set: { 'branding.displayName': { $ne: null } },
    errorAt: 'branding.displayName',
    message: 'Enter text',
  },
];

describe('configSchema: invalid input', () => {
  it.each(invalid)('$name → $errorAt', ({ set, errorAt, message }) => {
    let raw: unknown = fullConfig();
    for (const [path, value] of Object.entries(set)) raw = withValue(raw, path, value);

    const result = parseConfigInput(raw);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fieldErrors[errorAt]).toEqual([message]);
  });
});

const valid: { name: string; set: Record<string, unknown> }[] = [
  { name: 'the full fixture', set: {} },
  { name: 'only social sign-in', set: { 'signIn.password.enabled': false } },
  {
    name: 'only email link',
    set: {
      'signIn.password.enabled': false,
      'signIn.social': [],
      'signIn.passwordless.enabled': true,
    },
  },
  { name: 'MFA off without factors', set: { 'mfa.policy': 'off', 'mfa.factors': [] } },
  { name: 'password length bounds', set: { 'passwordPolicy.minLength': 128 } },
  { name: 'idle timeout equal to the session', set: { 'sessions.idleTimeoutMinutes': 10080 } },
  { name: 'short hex colour', set: { 'branding.primaryColor': '#0af' } },
  { name: 'https logo', set: { 'branding.logoUrl': 'https://cdn.acme.com/logo.svg' } },
  { name: 'no logo field at all', set: { 'branding.logoUrl': undefined } },
  { name: 'localhost over http', set: { 'urls.redirectUrls': ['http://127.0.0.1:8080/cb'] } },
  { name: 'wildcard origin', set: { 'urls.allowedOrigins': ['https://*.acme.com'] } },
  { name: 'origin with a port', set: { 'urls.allowedOrigins': ['https://acme.com:8443'] } },
  { name: 'a $ inside a value', set: { 'branding.displayName': 'Price$aver' } },
  {
    name: 'URL scopes',
    set: { 'signIn.social.0.scopes': ['https://www.googleapis.com/auth/userinfo.email'] },
  },
];

describe('configSchema: valid input', () => {
  it.each(valid)('$name', ({ set }) => {
    let raw: unknown = fullConfig();
    for (const [path, value] of Object.entries(set)) raw = withValue(raw, path, value);
    expect(parseConfigInput(raw, configSchema)).toMatchObject({ ok: true });
  });

  it('trims text and fills an absent logo with an empty string', () => {
    const raw = withValue(
      withValue(fullConfig(), 'branding.displayName', '  Acme  '),
      'branding.logoUrl',
      undefined,
    );
    const result = configSchema.parse(raw);
    expect(result.branding).toMatchObject({ displayName: 'Acme', logoUrl: '' });
  });

  it('stores -0 as 0, the number a reader parses back from JSON', () => {
    const result = configSchema.parse(withValue(fullConfig(), 'passwordPolicy.historyCount', -0));
    expect(Object.is(result.passwordPolicy.historyCount, 0)).toBe(true);
  });
});

describe('defaultConfig', () => {
  it.each(['Acme', '', '   ', '$where', 'x'.repeat(300)])(
    'is valid for the app name %j',
    (name) => {
      expect(configSchema.safeParse(defaultConfig(name)).success).toBe(true);
    },
  );
});

describe('secrets in the two schemas', () => {
  const kept = withValue(fullConfig(), 'webhooks.0.signingSecret', SECRET_UNCHANGED);

  it('a submitted config may keep a secret with the marker or an empty value', () => {
    expect(configInputSchema.safeParse(kept).success).toBe(true);
    expect(
      configInputSchema.safeParse(withValue(kept, 'webhooks.0.signingSecret', '')).success,
    ).toBe(true);
  });

  it('a new secret in a submitted config must be strong; a stored one predating the rule still parses', () => {
    const weak = withValue(
      fullConfig(),
      'webhooks.0.signingSecret',
      'demo-acme-whsec-orders-5b8e03d1',
    );
    expect(parseConfigInput(weak)).toEqual({
      ok: false,
      fieldErrors: {
        'webhooks.0.signingSecret': [
          expect.stringMatching(
            /^Too short: a secret needs at least 32 characters \(this one has 31\)/,
          ),
        ],
      },
    });
    expect(parseConfigInput(weak, configSchema)).toMatchObject({ ok: true });
  });

  it('a stored config needs the real secret', () => {
    expect(parseConfigInput(kept, configSchema)).toEqual({
      ok: false,
      fieldErrors: { 'webhooks.0.signingSecret': ['Enter the signing secret'] },
    });
    const blank = withValue(fullConfig(), 'signIn.social.0.clientSecret', '');
    expect(parseConfigInput(blank, configSchema)).toEqual({
      ok: false,
      fieldErrors: { 'signIn.social.0.clientSecret': ['Enter the client secret'] },
    });
  });
});

describe('parseConfigInput: whole-config errors', () => {
  it('rejects a body over the size limit before parsing it', () => {
    const raw = withValue(fullConfig(), 'branding.displayName', 'x'.repeat(MAX_CONFIG_BYTES));
    // One form error about the size, not the field's own length message: it never got parsed.
    const result = parseConfigInput(raw);
    expect(result).toMatchObject({ ok: false, fieldErrors: {} });
    expect(!result.ok && result.formError).toMatch(
      /^The configuration is too large \(\d+ KB\); the limit is 256 KB$/,
    );
  });

  it('reports unknown top-level fields as a form error', () => {
    expect(parseConfigInput({ ...fullConfig(), $where: '1' })).toMatchObject({
      ok: false,
      formError: 'Field names can’t start with “$” or contain “.”: “$where”',
    });
  });

  it('rejects a prototype-pollution key', () => {
    const raw: unknown = JSON.parse(
      `{"__proto__":{"admin":true},${JSON.stringify(fullConfig()).slice(1)}`,
    );
    expect(parseConfigInput(raw)).toMatchObject({
      ok: false,
      formError: '“__proto__” is not a recognised setting',
    });
  });

  it.each([[null], ['config'], [42], [[]]])('rejects %j as a whole', (raw) => {
    expect(parseConfigInput(raw)).toMatchObject({
      ok: false,
      formError: 'This section has the wrong format',
    });
  });

  it('rejects input that cannot be serialised', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(parseConfigInput(cyclic)).toEqual({
      ok: false,
      fieldErrors: {},
      formError: 'The configuration could not be read',
    });
  });
});
