import { describe, expect, it } from 'vitest';
import { configSchema, defaultConfig, type AppConfig } from '@/lib/schemas/config';
import {
  SECRET_UNCHANGED,
  containsSecret,
  isSecretPath,
  maskSecrets,
  mergeSecrets,
  secretSlots,
  secretValues,
  secretsRolledBack,
  withNewSecrets,
  withSecretsFrom,
  WEAK_STORED,
} from '@/lib/secrets';

function stored(): AppConfig {
  const config = defaultConfig('Acme');
  config.signIn.social = [
    {
      provider: 'google',
      clientId: 'g-client',
      clientSecret: 'gsec_Kp2vX9qLw4Rt7Yb1Nc8Ze3Hf6Jm0Ud5S',
    },
    {
      provider: 'github',
      clientId: 'gh-client',
      clientSecret: 'ghsec_Qe7Wr2Ty5Ui8Op1As4Df6Gh9Jk3Lz0X',
    },
  ];
  config.webhooks = [
    {
      id: 'orders',
      url: 'https://hooks.acme.com/o',
      events: ['user.created'],
      signingSecret: 'whsec_a_Zx4Cv7Bn0Mq3We6Rt9Yu2Io5Pa8Sd',
    },
    {
      id: 'crm',
      url: 'https://hooks.acme.com/c',
      events: ['user.deleted'],
      signingSecret: 'whsec_b_Lk1Jh4Gf7Ds0Aq3Zw6Xe9Cr2Vt5By',
    },
  ];
  return configSchema.parse(config);
}

type SocialRow = AppConfig['signIn']['social'][number];

/** What the browser sends back when nothing was touched. */
const untouched = (config: AppConfig): AppConfig => structuredClone(maskSecrets(config));

describe('maskSecrets', () => {
  it('replaces every secret with the marker and leaves the rest alone', () => {
    const config = stored();
    const masked = maskSecrets(config);

    expect(masked.signIn.social.map((p) => p.clientSecret)).toEqual([
      SECRET_UNCHANGED,
      SECRET_UNCHANGED,
    ]);
    expect(masked.webhooks.map((w) => w.signingSecret)).toEqual([
      SECRET_UNCHANGED,
      SECRET_UNCHANGED,
    ]);
    expect(masked.signIn.social[0]?.clientId).toBe('g-client');
    expect(containsSecret(JSON.stringify(masked), config)).toBe(false);
  });

  it('does not modify its input', () => {
    const config = stored();
    maskSecrets(config);
    expect(secretValues(config)).toEqual([
      'gsec_Kp2vX9qLw4Rt7Yb1Nc8Ze3Hf6Jm0Ud5S',
      'ghsec_Qe7Wr2Ty5Ui8Op1As4Df6Gh9Jk3Lz0X',
      'whsec_a_Zx4Cv7Bn0Mq3We6Rt9Yu2Io5Pa8Sd',
      'whsec_b_Lk1Jh4Gf7Ds0Aq3Zw6Xe9Cr2Vt5By',
    ]);
  });
});

describe('mergeSecrets', () => {
  it('gives back the stored config when nothing changed', () => {
    const previous = stored();
    expect(mergeSecrets(untouched(previous), previous)).toEqual({ ok: true, data: previous });
  });

  it('treats an empty secret like the marker', () => {
    const previous = stored();
    const submitted = untouched(previous);
    submitted.webhooks[1]!.signingSecret = '';
    expect(mergeSecrets(submitted, previous)).toEqual({ ok: true, data: previous });
  });

  it('replaces a secret with a newly typed value', () => {
    const previous = stored();
    const submitted = untouched(previous);
    submitted.signIn.social[1]!.clientSecret = 'rotated_Nm8Bv5Cx2Zl9Kj6Hg3Fd0Sa7Qw4Er';

    const result = mergeSecrets(submitted, previous);

    expect(result.ok && result.data.signIn.social.map((p) => p.clientSecret)).toEqual([
      'gsec_Kp2vX9qLw4Rt7Yb1Nc8Ze3Hf6Jm0Ud5S',
      'rotated_Nm8Bv5Cx2Zl9Kj6Hg3Fd0Sa7Qw4Er',
    ]);
  });

  it('follows providers and webhooks by name and id, not position', () => {
    const previous = stored();
    const submitted = untouched(previous);
    submitted.signIn.social.reverse();
    submitted.webhooks.reverse();

    const result = mergeSecrets(submitted, previous);

    expect(result.ok && result.data.signIn.social.map((p) => [p.provider, p.clientSecret])).toEqual(
      [
        ['github', 'ghsec_Qe7Wr2Ty5Ui8Op1As4Df6Gh9Jk3Lz0X'],
        ['google', 'gsec_Kp2vX9qLw4Rt7Yb1Nc8Ze3Hf6Jm0Ud5S'],
      ],
    );
    expect(result.ok && result.data.webhooks.map((w) => [w.id, w.signingSecret])).toEqual([
      ['crm', 'whsec_b_Lk1Jh4Gf7Ds0Aq3Zw6Xe9Cr2Vt5By'],
      ['orders', 'whsec_a_Zx4Cv7Bn0Mq3We6Rt9Yu2Io5Pa8Sd'],
    ]);
  });

  it('asks for the secret of a new provider or webhook left unchanged', () => {
    const previous = stored();
    const submitted = untouched(previous);
    submitted.signIn.social.push({
      provider: 'apple',
      clientId: 'a-client',
      clientSecret: SECRET_UNCHANGED,
    });
    submitted.webhooks.push({
      id: 'new',
      url: 'https://x.acme.com',
      events: ['user.created'],
      signingSecret: '',
    });

    expect(mergeSecrets(submitted, previous)).toEqual({
      ok: false,
      fieldErrors: {
        'signIn.social.2.clientSecret': ['Enter the client secret'],
        'webhooks.2.signingSecret': ['Enter the signing secret'],
      },
    });
  });

  // A row whose provider or client ID changed is another sign-in: its stored secret stays behind.
  it.each([
    {
      name: 'does not carry a secret over to a different provider on the same row',
      edit: (row: SocialRow) => void (row.provider = 'microsoft'),
      error: 'Enter the client secret',
    },
    {
      name: 'asks for a new secret when the client ID changed',
      edit: (row: SocialRow) => void (row.clientId = 'another-client'),
      error: 'Enter the client secret for the new client ID',
    },
  ])('$name', ({ edit, error }) => {
    const previous = stored();
    const submitted = untouched(previous);
    edit(submitted.signIn.social[0]!);

    expect(mergeSecrets(submitted, previous)).toEqual({
      ok: false,
      fieldErrors: { 'signIn.social.0.clientSecret': [error] },
    });
  });

  it('needs every secret on the first version', () => {
    const submitted = untouched(stored());
    const result = mergeSecrets(submitted, null);
    expect(result.ok ? [] : Object.keys(result.fieldErrors)).toEqual([
      'signIn.social.0.clientSecret',
      'signIn.social.1.clientSecret',
      'webhooks.0.signingSecret',
      'webhooks.1.signingSecret',
    ]);
  });

  it('refuses to keep a stored secret that is too weak, naming it; a new value replaces it', () => {
    const previous = stored();
    previous.webhooks[0]!.signingSecret = 'whsec_a'; // stored before the strength rule
    const submitted = untouched(previous);
    expect(mergeSecrets(submitted, previous)).toEqual({
      ok: false,
      fieldErrors: { 'webhooks.0.signingSecret': [WEAK_STORED] },
    });
    submitted.webhooks[0]!.signingSecret = 'whsec_Qz8Xw5Ev2Rb9Tn6Ym3Uk0Io7Pl4Aj1Sd';
    expect(mergeSecrets(submitted, previous).ok).toBe(true);
  });

  it('never returns a config the stored schema would reject', () => {
    const previous = stored();
    const result = mergeSecrets(untouched(previous), previous);
    expect(result.ok && configSchema.safeParse(result.data).success).toBe(true);
  });
});

describe('isSecretPath', () => {
  it.each([
    ['signIn.social.0.clientSecret', true],
    ['signIn.social.google.clientSecret', true],
    ['webhooks.orders.signingSecret', true],
    ['signIn.social.0.clientId', false],
    ['webhooks.0.url', false],
    ['signIn.social', false],
  ])('%s → %s', (path, expected) => {
    expect(isSecretPath(path)).toBe(expected);
  });
});

describe('containsSecret', () => {
  it('finds a secret anywhere in a text and ignores the markers', () => {
    const config = stored();
    expect(
      containsSecret('error: bad token whsec_b_Lk1Jh4Gf7Ds0Aq3Zw6Xe9Cr2Vt5By at line 1', config),
    ).toBe(true);
    expect(containsSecret(`value was ${SECRET_UNCHANGED}`, maskSecrets(config))).toBe(false);
  });
});

describe('withNewSecrets (copying an app)', () => {
  const slots = secretSlots(stored()).map((slot) => slot.path);

  it('names every secret by provider and webhook id, each a secret path', () => {
    expect(slots).toEqual([
      'signIn.social.google.clientSecret',
      'signIn.social.github.clientSecret',
      'webhooks.orders.signingSecret',
      'webhooks.crm.signingSecret',
    ]);
    expect(slots.every(isSecretPath)).toBe(true);
  });

  it('asks for every secret: none is carried over, and the marker is not a value', () => {
    const result = withNewSecrets(stored(), {
      'signIn.social.google.clientSecret': SECRET_UNCHANGED,
      'webhooks.orders.signingSecret': '  ',
      'webhooks.crm.signingSecret': '$where',
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.fieldErrors).toEqual({
      'signIn.social.google.clientSecret': ['Enter this app’s client secret'],
      'signIn.social.github.clientSecret': ['Enter this app’s client secret'],
      'webhooks.orders.signingSecret': ['Enter this app’s signing secret'],
      'webhooks.crm.signingSecret': ['Values can’t start with “$”'],
    });
  });

  it('refuses a weak new value with the reason', () => {
    const values = Object.fromEntries(
      slots.map((path, i) => [path, `new-${i}-Xy7Wq2Ev9Rb4Tn6Ym1Uk3Io8Pl5Aj0`]),
    );
    values['webhooks.crm.signingSecret'] = 'whsec_crm_2024';
    const result = withNewSecrets(stored(), values);
    expect(!result.ok && result.fieldErrors).toEqual({
      'webhooks.crm.signingSecret': [
        expect.stringMatching(/^Too short: a secret needs at least 32/),
      ],
    });
  });

  it('puts the new values in place and keeps the rest of the configuration', () => {
    const values = Object.fromEntries(
      slots.map((path, i) => [path, `new-${i}-Xy7Wq2Ev9Rb4Tn6Ym1Uk3Io8Pl5Aj0`]),
    );
    const result = withNewSecrets(stored(), values);
    if (!result.ok) throw new Error('expected a config');
    expect(secretValues(result.data)).toEqual(
      [0, 1, 2, 3].map((i) => `new-${i}-Xy7Wq2Ev9Rb4Tn6Ym1Uk3Io8Pl5Aj0`),
    );
    expect(maskSecrets(result.data)).toEqual(maskSecrets(stored()));
    expect(configSchema.safeParse(result.data).success).toBe(true);
  });
});

describe('secretsRolledBack and withSecretsFrom (a rollback’s secrets)', () => {
  const rotated = 'whsec_r_Pq9Wo8Ei7Ru6Ty5Yu4Ui3Oa2Ps1Dd0F';
  function current(): AppConfig {
    const c = stored();
    c.webhooks[0]!.signingSecret = rotated; // orders rotated after the older version
    c.webhooks.pop(); // crm removed
    c.signIn.social[1]!.clientId = 'gh-client-2'; // github moved to another client
    return c;
  }

  it('names what changes back and what returns, by identity', () => {
    expect(secretsRolledBack(stored(), current())).toEqual([
      {
        path: 'signIn.social.github.clientSecret',
        label: 'Github client secret (client ID gh-client)',
        kind: 'returns',
      },
      {
        path: 'webhooks.orders.signingSecret',
        label: 'Signing secret of the webhook to https://hooks.acme.com/o',
        kind: 'changes-back',
      },
      {
        path: 'webhooks.crm.signingSecret',
        label: 'Signing secret of the webhook to https://hooks.acme.com/c',
        kind: 'returns',
      },
    ]);
    expect(secretsRolledBack(stored(), stored())).toEqual([]);
  });

  it('keeps the current value only where the same secret exists', () => {
    const kept = withSecretsFrom(stored(), current());
    expect(secretValues(kept)).toEqual([
      'gsec_Kp2vX9qLw4Rt7Yb1Nc8Ze3Hf6Jm0Ud5S',
      'ghsec_Qe7Wr2Ty5Ui8Op1As4Df6Gh9Jk3Lz0X', // another client's secret is never moved over
      rotated,
      'whsec_b_Lk1Jh4Gf7Ds0Aq3Zw6Xe9Cr2Vt5By',
    ]);
    expect(maskSecrets(kept)).toEqual(maskSecrets(stored()));
  });
});
