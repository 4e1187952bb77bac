/**
 * The schema of an application's login/identity configuration.
 *
 * One file, shared by the form, the server action and the route handler, so a value that the
 * form accepts is exactly a value the server accepts. Every message is written for the person
 * filling in the form, not for an engineer.
 *
 * Two variants are built from the same description (see "The schemas" at the bottom):
 * - `configSchema`: a stored configuration. Secrets must be real values.
 * - `configInputSchema`: a submitted configuration. A secret may be `SECRET_UNCHANGED` or '' to
 *   keep the stored one; `mergeSecrets` (lib/secrets.ts) resolves those before saving. A new
 *   secret value must be strong (lib/schemas/secret-strength.ts).
 */
import { z } from 'zod';
import { flattenIssues, type FieldErrors } from '@/lib/schemas/issues';
import { secretWeakness } from '@/lib/schemas/secret-strength';

export type { FieldErrors };

// ───────────────────────────── Messages and shared building blocks ─────────────────────────────

const REQUIRED = 'This field is required';
const NO_DOLLAR = 'Values can’t start with “$”';

/** What the browser receives in place of a secret, and sends back to mean "keep it". */
export const SECRET_UNCHANGED = '__unchanged__';
export type SecretUnchanged = typeof SECRET_UNCHANGED;

type RawIssue = z.core.$ZodRawIssue;

/** Secrets differ between stored and submitted configs; the message names the secret. */
type SecretField = (emptyMessage: string) => z.ZodType<string>;

/** Type errors say what to enter; a missing value says it is required. */
const typeError = (expected: string) => (iss: RawIssue) =>
  iss.input === undefined ? REQUIRED : expected;

/**
 * Every string goes through here. A leading "$" is rejected because config values end up in
 * MongoDB documents that other code may query; "$where"/"$gt" are never meaningful
 * in a login configuration, so refusing them closes operator injection at the edge.
 */
function safeText(max: number, emptyMessage?: string) {
  const text = z
    .string({ error: typeError('Enter text') })
    .trim()
    .max(max, { error: `Use at most ${max} characters`, abort: true });
  // abort: one clear message per field, not a cascade from the checks that follow
  const required = emptyMessage ? text.min(1, { error: emptyMessage, abort: true }) : text;
  return required.refine((v) => !v.startsWith('$'), { error: NO_DOLLAR, abort: true });
}

function wholeNumber(min: number, max: number, unit = '') {
  const n = (v: number) => v.toLocaleString('en-GB');
  const range = `Enter a number from ${n(min)} to ${n(max)}${unit ? ` ${unit}` : ''}`;
  return (
    z
      .number({ error: typeError('Enter a number') })
      .int({ error: 'Enter a whole number' })
      .min(min, { error: range })
      .max(max, { error: range })
      // -0 is a whole number too, but JSON (and so the editor and the cache) knows only 0: stored
      // as given, it would not equal what a reader parses back.
      .overwrite((v) => (v === 0 ? 0 : v))
  );
}

const onOff = () => z.boolean({ error: typeError('Choose on or off') });

function oneOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, { error: typeError(`Choose ${what}: ${values.join(', ')}`) });
}

function list<T extends z.ZodType>(item: T, max: number, noun: string) {
  return z
    .array(item, { error: typeError(`Enter a list of ${noun}`) })
    .max(max, { error: `Add at most ${max} ${noun}` });
}

/** Unknown keys are rejected with a message naming them; "$…" and dotted keys get their own. */
function unknownKeysMessage(keys: readonly string[]): string {
  const quoted = keys.map((k) => `“${k}”`).join(', ');
  if (keys.some((k) => k.startsWith('$') || k.includes('.'))) {
    return `Field names can’t start with “$” or contain “.”: ${quoted}`;
  }
  return keys.length === 1
    ? `${quoted} is not a recognised setting`
    : `${quoted} are not recognised settings`;
}

/** A strict object: every group of settings is closed, so no field can be smuggled in. */
function section<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return unknownKeysMessage(iss.keys);
      return iss.input === undefined
        ? 'This section is required'
        : 'This section has the wrong format';
    },
  });
}

/** Reports the second and later occurrences of a value, on the item (or one of its fields). */
function noDuplicates<T>(keyOf: (item: T) => string, message: (item: T) => string, field?: string) {
  return (items: T[], ctx: z.RefinementCtx<T[]>) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const key = keyOf(item);
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', message: message(item), path: field ? [i, field] : [i] });
      }
      seen.add(key);
    });
  };
}

// ─────────────────────────────────────────── URLs ───────────────────────────────────────────────

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

interface UrlRule {
  /** scheme + host [+ port] only, as browsers send in the Origin header */
  originOnly?: boolean;
  /** http://localhost for development */
  allowLocalhost?: boolean;
  /** a leading "*." label, e.g. https://*.example.com/cb */
  allowWildcard?: boolean;
  /** OAuth forbids fragments in redirect URIs */
  noFragment?: boolean;
}

const WILDCARD_PREFIX = 'https://*.';

function urlProblem(raw: string, rule: UrlRule): string | undefined {
  const example = rule.originOnly ? 'https://app.example.com' : 'https://app.example.com/callback';
  const notAUrl = `Enter a full URL starting with https://, like ${example}`;
  if (/[\s\\]/.test(raw)) return 'URLs can’t contain spaces or backslashes';

  let candidate = raw;
  if (raw.includes('*')) {
    if (!rule.allowWildcard) return 'Wildcards (*) aren’t allowed here';
    if (!raw.startsWith(WILDCARD_PREFIX) || raw.indexOf('*') !== raw.lastIndexOf('*')) {
      return 'A wildcard is only allowed as the first part of the domain, like https://*.example.com';
    }
    // Replace the wildcard label with a real one so the URL parser checks the rest.
    candidate = `https://wildcard.${raw.slice(WILDCARD_PREFIX.length)}`;
  }

  const scheme = candidate.slice(0, 8).toLowerCase();
  if (!scheme.startsWith('https://') && !scheme.startsWith('http://')) return notAUrl;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return notAUrl;
  }

  if (url.protocol === 'http:' && !(rule.allowLocalhost && LOCAL_HOSTS.has(url.hostname))) {
    return rule.allowLocalhost
      ? 'Use https:// (http:// is only allowed for localhost)'
      : 'Use https://';
  }
  if (url.username || url.password) return 'URLs can’t include a user name or password';
  // "*.com" would match every site on a top-level domain.
  if (candidate !== raw && url.hostname.split('.').length < 3) {
    return 'A wildcard must be followed by a domain, like https://*.example.com';
  }
  if (rule.originOnly && `${url.protocol}//${url.host}` !== candidate) {
    return 'Enter only the scheme and domain in lower case, like https://app.example.com (no path or trailing slash)';
  }
  if (rule.noFragment && url.hash) return 'Redirect URLs can’t include a # fragment';
  return undefined;
}

function urlField(rule: UrlRule) {
  return safeText(2048, 'Enter a URL').superRefine((value, ctx) => {
    const problem = urlProblem(value, rule);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

function urlList(rule: UrlRule, max: number, noun: string) {
  return list(urlField(rule), max, noun).superRefine(
    noDuplicates(
      (url: string) => url,
      () => 'This URL is already in the list',
    ),
  );
}

// ─────────────────────────────────────────── Sign-in ────────────────────────────────────────────

export const SOCIAL_PROVIDERS = ['google', 'github', 'apple', 'microsoft', 'facebook'] as const;
export type SocialProviderName = (typeof SOCIAL_PROVIDERS)[number];
export const SOCIAL_PROVIDER_LABELS: Record<SocialProviderName, string> = {
  google: 'Google',
  github: 'GitHub',
  apple: 'Apple',
  microsoft: 'Microsoft',
  facebook: 'Facebook',
};

/** OAuth scope tokens (RFC 6749 §3.3), narrowed to what real providers use, URLs included. */
const scope = safeText(200, 'Enter a scope').regex(/^[A-Za-z0-9_.:/-]+$/, {
  error: 'Scopes contain only letters, digits and . _ : / -',
});

function buildSignIn(secret: SecretField) {
  const socialProvider = section({
    provider: oneOf(SOCIAL_PROVIDERS, 'a provider'),
    clientId: safeText(256, 'Enter the client ID'),
    clientSecret: secret('Enter the client secret'),
    scopes: list(scope, 20, 'scopes').optional(),
  });
  return section({
    password: section({ enabled: onOff() }),
    passwordless: section({
      enabled: onOff(),
      linkLifetimeMinutes: wholeNumber(1, 60, 'minutes'),
    }),
    social: list(socialProvider, SOCIAL_PROVIDERS.length, 'providers').superRefine(
      noDuplicates(
        (p) => p.provider,
        (p) => `${SOCIAL_PROVIDER_LABELS[p.provider]} is already in the list`,
        'provider',
      ),
    ),
  }).superRefine((signIn, ctx) => {
    if (!signIn.password.enabled && !signIn.passwordless.enabled && signIn.social.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'Turn on at least one way to sign in: password, email link or a social provider',
      });
    }
  });
}

// ──────────────────────────────────── MFA and password policy ───────────────────────────────────

export const MFA_FACTORS = ['totp', 'sms', 'email', 'webauthn'] as const;

const mfa = section({
  policy: oneOf(['off', 'optional', 'required'], 'a policy'),
  factors: list(oneOf(MFA_FACTORS, 'a factor'), MFA_FACTORS.length, 'factors').superRefine(
    noDuplicates(
      (f: string) => f,
      () => 'This factor is already in the list',
    ),
  ),
  rememberDeviceDays: wholeNumber(0, 365, 'days'),
}).superRefine((value, ctx) => {
  if (value.policy === 'required' && value.factors.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'Choose at least one factor when MFA is required',
      path: ['factors'],
    });
  }
});

const passwordPolicy = section({
  minLength: wholeNumber(8, 128, 'characters'),
  requireUppercase: onOff(),
  requireNumber: onOff(),
  requireSymbol: onOff(),
  historyCount: wholeNumber(0, 24, 'previous passwords'),
  /** 0 means passwords never expire */
  maxAgeDays: wholeNumber(0, 730, 'days'),
});

// ───────────────────────────────────── Sessions and tokens ──────────────────────────────────────

const sessions = section({
  sessionLifetimeMinutes: wholeNumber(5, 525_600, 'minutes'),
  idleTimeoutMinutes: wholeNumber(1, 525_600, 'minutes'),
  accessTokenLifetimeSeconds: wholeNumber(60, 86_400, 'seconds'),
  refreshTokenLifetimeSeconds: wholeNumber(60, 31_536_000, 'seconds'),
  refreshTokenRotation: onOff(),
}).superRefine((s, ctx) => {
  if (s.idleTimeoutMinutes > s.sessionLifetimeMinutes) {
    ctx.addIssue({
      code: 'custom',
      message: 'The idle timeout can’t be longer than the session lifetime',
      path: ['idleTimeoutMinutes'],
    });
  }
  if (s.refreshTokenLifetimeSeconds <= s.accessTokenLifetimeSeconds) {
    ctx.addIssue({
      code: 'custom',
      message: 'Refresh tokens must last longer than access tokens',
      path: ['refreshTokenLifetimeSeconds'],
    });
  }
});

const urls = section({
  allowedOrigins: urlList(
    { originOnly: true, allowLocalhost: true, allowWildcard: true },
    50,
    'origins',
  ),
  redirectUrls: urlList(
    { allowLocalhost: true, allowWildcard: true, noFragment: true },
    100,
    'redirect URLs',
  ),
  logoutUrls: urlList({ allowLocalhost: true, allowWildcard: true }, 50, 'logout URLs'),
});

const rateLimits = section({
  signInAttemptsPerMinute: wholeNumber(1, 600, 'attempts'),
  lockout: section({
    enabled: onOff(),
    threshold: wholeNumber(3, 100, 'failed attempts'),
    durationMinutes: wholeNumber(1, 1440, 'minutes'),
  }),
});

// ─────────────────────────────────── Registration and branding ──────────────────────────────────

export const REGISTRATION_FIELDS = [
  'given_name',
  'family_name',
  'phone',
  'birthdate',
  'company',
  'locale',
] as const;
export const REGISTRATION_FIELD_LABELS: Record<(typeof REGISTRATION_FIELDS)[number], string> = {
  given_name: 'First name',
  family_name: 'Last name',
  phone: 'Phone number',
  birthdate: 'Date of birth',
  company: 'Company',
  locale: 'Language',
};

const registration = section({
  enabled: onOff(),
  fields: list(
    section({ name: oneOf(REGISTRATION_FIELDS, 'a field'), required: onOff() }),
    REGISTRATION_FIELDS.length,
    'fields',
  ).superRefine(
    noDuplicates(
      (f) => f.name,
      () => 'This field is already in the list',
      'name',
    ),
  ),
  emailVerification: oneOf(['required', 'optional', 'off'], 'an option'),
});

const branding = section({
  displayName: safeText(100, 'Enter a display name'),
  primaryColor: safeText(7).regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, {
    error: 'Enter a colour as # and 3 or 6 hex digits, like #1A73E8',
  }),
  /** '' means no logo; the form sends '' for an empty field. */
  logoUrl: safeText(2048)
    .superRefine((value, ctx) => {
      const problem = value === '' ? undefined : urlProblem(value, {});
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(''),
});

// ─────────────────────────────────── Webhooks and features ──────────────────────────────────────

export const WEBHOOK_EVENTS = [
  'user.created',
  'user.updated',
  'user.deleted',
  'user.signed_in',
  'user.signed_out',
  'user.password_changed',
  'user.locked_out',
  'config.changed',
] as const;

function buildWebhook(secret: SecretField) {
  return section({
    /** Stable identity: secrets and diffs follow a webhook by id, whatever its position. */
    // Starts with a letter so an id can never be mistaken for a list position in a path.
    id: safeText(40, 'Enter an ID').regex(/^[a-z][a-z0-9_-]*$/, {
      error: 'Start with a letter, then use lower-case letters, digits, - and _',
    }),
    url: urlField({}),
    events: list(oneOf(WEBHOOK_EVENTS, 'an event'), WEBHOOK_EVENTS.length, 'events')
      .min(1, { error: 'Choose at least one event' })
      .superRefine(
        noDuplicates(
          (e: string) => e,
          () => 'This event is already in the list',
        ),
      ),
    signingSecret: secret('Enter the signing secret'),
  });
}

export const FEATURE_SWITCHES = [
  'newUniversalLogin',
  'breachedPasswordDetection',
  'adaptiveMfa',
  'organizations',
] as const;

const features = section({
  newUniversalLogin: onOff(),
  breachedPasswordDetection: onOff(),
  adaptiveMfa: onOff(),
  organizations: onOff(),
});

// ──────────────────────────────────────── The schemas ───────────────────────────────────────────

function buildConfigSchema(secret: SecretField) {
  return section({
    signIn: buildSignIn(secret),
    mfa,
    passwordPolicy,
    sessions,
    urls,
    rateLimits,
    registration,
    branding,
    webhooks: list(buildWebhook(secret), 10, 'webhooks').superRefine(
      noDuplicates(
        (w) => w.id,
        () => 'Another webhook already uses this ID',
        'id',
      ),
    ),
    features,
  }).superRefine((config, ctx) => {
    if (config.features.adaptiveMfa && config.mfa.policy === 'off') {
      ctx.addIssue({
        code: 'custom',
        message: 'Adaptive MFA needs MFA to be optional or required',
        path: ['features', 'adaptiveMfa'],
      });
    }
  });
}

/**
 * A stored secret: a real value, never the "unchanged" marker. Strength is not checked here:
 * versions stored before secrets had to be strong stay valid (they load, display, archive and
 * roll back); every *new* value is checked where it enters (`submittedSecret`, lib/secrets.ts).
 */
const storedSecret: SecretField = (emptyMessage) =>
  safeText(1024, emptyMessage).refine((v) => v !== SECRET_UNCHANGED, { error: emptyMessage });

/**
 * A submitted secret: '' or SECRET_UNCHANGED keep the stored value (see lib/secrets.ts); anything
 * else is a new value and must be strong.
 */
const submittedSecret: SecretField = () =>
  safeText(1024).superRefine((value, ctx) => {
    if (value === '' || value === SECRET_UNCHANGED) return;
    const weakness = secretWeakness(value);
    if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
  });

export const configSchema = buildConfigSchema(storedSecret);
export const configInputSchema = buildConfigSchema(submittedSecret);

export type ConfigSchema = typeof configSchema;
export type AppConfig = z.infer<typeof configSchema>;
/** Same shape as AppConfig; secrets may still be SECRET_UNCHANGED or ''. */
export type ConfigInput = z.infer<typeof configInputSchema>;
export type SocialProvider = AppConfig['signIn']['social'][number];
export type Webhook = AppConfig['webhooks'][number];

// ───────────────────────────────────────── Defaults ─────────────────────────────────────────────

/** A valid starting point for a new app: password sign-in, length-based password rules (NIST 800-63B). */
export function defaultConfig(appName: string): AppConfig {
  const displayName = appName.trim().replace(/^\$+/, '').slice(0, 100).trim() || 'My app';
  return {
    signIn: {
      password: { enabled: true },
      passwordless: { enabled: false, linkLifetimeMinutes: 15 },
      social: [],
    },
    mfa: { policy: 'optional', factors: ['totp', 'webauthn'], rememberDeviceDays: 30 },
    passwordPolicy: {
      minLength: 12,
      requireUppercase: false,
      requireNumber: false,
      requireSymbol: false,
      historyCount: 0,
      maxAgeDays: 0,
    },
    sessions: {
      sessionLifetimeMinutes: 7 * 24 * 60,
      idleTimeoutMinutes: 24 * 60,
      accessTokenLifetimeSeconds: 3600,
      refreshTokenLifetimeSeconds: 30 * 24 * 3600,
      refreshTokenRotation: true,
    },
    urls: { allowedOrigins: [], redirectUrls: [], logoutUrls: [] },
    rateLimits: {
      signInAttemptsPerMinute: 10,
      lockout: { enabled: true, threshold: 10, durationMinutes: 15 },
    },
    registration: { enabled: true, fields: [], emailVerification: 'required' },
    branding: { displayName, primaryColor: '#2563EB', logoUrl: '' },
    webhooks: [],
    features: {
      newUniversalLogin: true,
      breachedPasswordDetection: true,
      adaptiveMfa: false,
      organizations: false,
    },
  };
}

// ──────────────────────────────────── Parsing with a size limit ─────────────────────────────────

export const MAX_CONFIG_BYTES = 256 * 1024;

export type ParseConfigResult =
  { ok: true; data: AppConfig } | { ok: false; fieldErrors: FieldErrors; formError?: string };

/**
 * Parses a submitted configuration. The size is checked before parsing so an oversized body
 * costs one serialisation, not a full validation. Issues are keyed by dotted path
 * (`urls.redirectUrls.2`, `signIn.social.0.clientId`); issues about the whole config become
 * `formError`.
 */
export function parseConfigInput(
  raw: unknown,
  schema: ConfigSchema = configInputSchema,
): ParseConfigResult {
  let json: string | undefined;
  try {
    json = JSON.stringify(raw);
  } catch {
    return { ok: false, fieldErrors: {}, formError: 'The configuration could not be read' };
  }
  const bytes = new TextEncoder().encode(json ?? '').length;
  if (bytes > MAX_CONFIG_BYTES) {
    const kb = (n: number) => `${Math.ceil(n / 1024)} KB`;
    return {
      ok: false,
      fieldErrors: {},
      formError: `The configuration is too large (${kb(bytes)}); the limit is ${kb(MAX_CONFIG_BYTES)}`,
    };
  }

  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };

  const { _form: formErrors, ...fieldErrors } = flattenIssues(result.error.issues);
  return formErrors
    ? { ok: false, fieldErrors, formError: formErrors.join(' ') }
    : { ok: false, fieldErrors };
}
