import { defaultConfig, type AppConfig } from '@/lib/schemas/config';

/**
 * The demo tenants and apps with realistic first configurations. Plain data (no server
 * imports), so e2e tests can check that the seeded secrets never reach a browser.
 */
export const DEMO_TENANTS = [
  { id: 'acme', name: 'Acme Corp' },
  { id: 'globex', name: 'Globex' },
] as const;

/** Demo-only values, never real credentials; random like real ones, so they pass the strength rule. */
export const DEMO_SECRETS = {
  acmeGoogle: 'demo-acme-google-zWVWh3fPoCk8iWbVL_Q1eqynCcZzABaS',
  acmeOrdersWebhook: 'demo-acme-orders-S2pwRv9roXe73P8zcnrQRYvcQTesQ_7G',
  globexMicrosoft: 'demo-globex-msft-amc5-urx7idsugrxrmiMBuMOxYkCDTQJ',
  globexAuditWebhook: 'demo-globex-audit-dUZmCL1CRjrMsIuZxigqGlg9EqWNfd5d',
} as const;

export interface DemoApp {
  id: string;
  tenantId: (typeof DEMO_TENANTS)[number]['id'];
  name: string;
  description: string;
  config: AppConfig;
}

function storefront(): AppConfig {
  const c = defaultConfig('Acme Store');
  return {
    ...c,
    signIn: {
      ...c.signIn,
      passwordless: { enabled: true, linkLifetimeMinutes: 15 },
      social: [
        {
          provider: 'google',
          clientId: '418503-acme-storefront.apps.googleusercontent.com',
          clientSecret: DEMO_SECRETS.acmeGoogle,
          scopes: ['openid', 'email', 'profile'],
        },
      ],
    },
    urls: {
      allowedOrigins: [
        'https://shop.acme.test',
        'https://*.preview.acme.test',
        'http://localhost:3000',
      ],
      redirectUrls: ['https://shop.acme.test/auth/callback', 'http://localhost:3000/auth/callback'],
      logoutUrls: ['https://shop.acme.test/'],
    },
    registration: {
      enabled: true,
      fields: [
        { name: 'given_name', required: true },
        { name: 'family_name', required: false },
      ],
      emailVerification: 'required',
    },
    branding: {
      displayName: 'Acme Store',
      primaryColor: '#E4572E',
      logoUrl: 'https://cdn.acme.test/logo.svg',
    },
    webhooks: [
      {
        id: 'orders-sync',
        url: 'https://orders.acme.test/hooks/identity',
        events: ['user.created', 'user.updated', 'user.deleted'],
        signingSecret: DEMO_SECRETS.acmeOrdersWebhook,
      },
    ],
  };
}

function mobile(): AppConfig {
  const c = defaultConfig('Acme Mobile');
  return {
    ...c,
    signIn: { ...c.signIn, passwordless: { enabled: true, linkLifetimeMinutes: 10 } },
    mfa: { policy: 'optional', factors: ['totp', 'sms', 'webauthn'], rememberDeviceDays: 60 },
    sessions: {
      ...c.sessions,
      sessionLifetimeMinutes: 90 * 24 * 60,
      idleTimeoutMinutes: 30 * 24 * 60,
      accessTokenLifetimeSeconds: 900,
      refreshTokenLifetimeSeconds: 90 * 24 * 3600,
    },
    urls: {
      allowedOrigins: ['https://m.acme.test'],
      redirectUrls: ['https://m.acme.test/auth/callback'],
      logoutUrls: [],
    },
    branding: { displayName: 'Acme', primaryColor: '#E4572E', logoUrl: '' },
  };
}

function partnerPortal(): AppConfig {
  const c = defaultConfig('Acme Partners');
  return {
    ...c,
    mfa: { policy: 'required', factors: ['totp', 'webauthn'], rememberDeviceDays: 7 },
    passwordPolicy: {
      minLength: 14,
      requireUppercase: true,
      requireNumber: true,
      requireSymbol: true,
      historyCount: 5,
      maxAgeDays: 180,
    },
    sessions: { ...c.sessions, sessionLifetimeMinutes: 12 * 60, idleTimeoutMinutes: 30 },
    urls: {
      allowedOrigins: ['https://partners.acme.test'],
      redirectUrls: ['https://partners.acme.test/oauth/callback'],
      logoutUrls: ['https://partners.acme.test/signed-out'],
    },
    rateLimits: {
      signInAttemptsPerMinute: 5,
      lockout: { enabled: true, threshold: 5, durationMinutes: 30 },
    },
    registration: { enabled: false, fields: [], emailVerification: 'required' },
    branding: { displayName: 'Acme Partner Portal', primaryColor: '#1F2937', logoUrl: '' },
    features: { ...c.features, adaptiveMfa: true, organizations: true },
  };
}

function globexWeb(): AppConfig {
  const c = defaultConfig('Globex');
  return {
    ...c,
    signIn: {
      ...c.signIn,
      social: [
        {
          provider: 'microsoft',
          clientId: '6a1f0c2e-globex-web',
          clientSecret: DEMO_SECRETS.globexMicrosoft,
          scopes: ['openid', 'email'],
        },
      ],
    },
    urls: {
      allowedOrigins: ['https://www.globex.test'],
      redirectUrls: ['https://www.globex.test/callback'],
      logoutUrls: ['https://www.globex.test/'],
    },
    registration: {
      enabled: true,
      fields: [{ name: 'company', required: true }],
      emailVerification: 'required',
    },
    branding: { displayName: 'Globex', primaryColor: '#0F766E', logoUrl: '' },
    webhooks: [
      {
        id: 'audit-export',
        url: 'https://siem.globex.test/ingest/identity',
        events: ['user.signed_in', 'user.locked_out', 'config.changed'],
        signingSecret: DEMO_SECRETS.globexAuditWebhook,
      },
    ],
  };
}

function globexInternal(): AppConfig {
  const c = defaultConfig('Globex Internal');
  return {
    ...c,
    mfa: { policy: 'required', factors: ['webauthn'], rememberDeviceDays: 0 },
    sessions: { ...c.sessions, sessionLifetimeMinutes: 8 * 60, idleTimeoutMinutes: 60 },
    urls: {
      allowedOrigins: ['https://intranet.globex.test'],
      redirectUrls: ['https://intranet.globex.test/sso/callback'],
      logoutUrls: [],
    },
    registration: { enabled: false, fields: [], emailVerification: 'required' },
    branding: { displayName: 'Globex Intranet', primaryColor: '#334155', logoUrl: '' },
  };
}

export function demoApps(): DemoApp[] {
  return [
    {
      id: 'acme-storefront',
      tenantId: 'acme',
      name: 'Acme Storefront',
      description: 'Customer sign-in for the online shop.',
      config: storefront(),
    },
    {
      id: 'acme-mobile',
      tenantId: 'acme',
      name: 'Acme Mobile',
      description: 'iOS and Android shopping app.',
      config: mobile(),
    },
    {
      id: 'acme-partner-portal',
      tenantId: 'acme',
      name: 'Acme Partner Portal',
      description: 'Suppliers and resellers; MFA required.',
      config: partnerPortal(),
    },
    {
      id: 'globex-web',
      tenantId: 'globex',
      name: 'Globex Web',
      description: 'Public website and customer accounts.',
      config: globexWeb(),
    },
    {
      id: 'globex-internal',
      tenantId: 'globex',
      name: 'Globex Internal',
      description: 'Employee intranet.',
      config: globexInternal(),
    },
  ];
}
