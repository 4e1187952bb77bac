/**
 * Write-only secrets: social provider client secrets and webhook signing secrets.
 *
 * The browser never receives a secret. `maskSecrets` replaces each one with SECRET_UNCHANGED;
 * the form shows it as "••••••••" and sends back either SECRET_UNCHANGED / '' (keep) or a new
 * value. `mergeSecrets` resolves that against the stored config before saving.
 */
import {
  SECRET_UNCHANGED,
  type AppConfig,
  type ConfigInput,
  type FieldErrors,
  type SecretUnchanged,
  type SocialProvider,
  type Webhook,
} from '@/lib/schemas/config';
import { isStrongSecret, secretWeakness } from '@/lib/schemas/secret-strength';

export { SECRET_UNCHANGED, type SecretUnchanged };

/** What the form displays for a stored secret. */
export const SECRET_DISPLAY = '••••••••';

/** Secret paths, written with `*` for the array item (an index or an identity key). */
export const SECRET_PATHS = ['signIn.social.*.clientSecret', 'webhooks.*.signingSecret'] as const;

const SECRET_PATH_PATTERN =
  /^(?:signIn\.social\.[^.]+\.clientSecret|webhooks\.[^.]+\.signingSecret)$/;

/** True for `signIn.social.0.clientSecret`, `webhooks.wh_1.signingSecret`, … */
export function isSecretPath(path: string): boolean {
  return SECRET_PATH_PATTERN.test(path);
}

export type MaskedSocialProvider = Omit<SocialProvider, 'clientSecret'> & {
  clientSecret: SecretUnchanged;
};
export type MaskedWebhook = Omit<Webhook, 'signingSecret'> & { signingSecret: SecretUnchanged };
export type MaskedConfig = Omit<AppConfig, 'signIn' | 'webhooks'> & {
  signIn: Omit<AppConfig['signIn'], 'social'> & { social: MaskedSocialProvider[] };
  webhooks: MaskedWebhook[];
};

/** The config as the browser may see it: every secret replaced by SECRET_UNCHANGED. */
export function maskSecrets(config: AppConfig): MaskedConfig {
  return {
    ...config,
    signIn: {
      ...config.signIn,
      social: config.signIn.social.map((p) => ({ ...p, clientSecret: SECRET_UNCHANGED })),
    },
    webhooks: config.webhooks.map((w) => ({ ...w, signingSecret: SECRET_UNCHANGED })),
  };
}

export type MergeSecretsResult =
  { ok: true; data: AppConfig } | { ok: false; fieldErrors: FieldErrors };

const keepsPrevious = (value: string) => value === '' || value === SECRET_UNCHANGED;

/** A kept secret stored before secrets had to be strong: a save must replace it. */
export const WEAK_STORED =
  'This secret was stored before secrets had to be strong and can’t be kept. Generate a new one (or paste the new one your provider issued) and update whatever uses it.';

/**
 * Puts stored secrets back where the submission left them unchanged. Matching is by provider
 * name and by webhook id, never by position, so reordering or removing items cannot move a
 * secret onto another item. A kept secret with no stored counterpart (a new provider, or a
 * provider whose client ID changed, since a secret belongs to one client) is a field error, and
 * so is keeping a stored secret that is too weak: a save never re-confirms a weak secret.
 */
export function mergeSecrets(
  submitted: ConfigInput,
  previous: AppConfig | null,
): MergeSecretsResult {
  const fieldErrors: FieldErrors = {};
  const previousSocial = new Map(previous?.signIn.social.map((p) => [p.provider, p]));
  const previousWebhooks = new Map(previous?.webhooks.map((w) => [w.id, w]));

  const social = submitted.signIn.social.map((p, i) => {
    if (!keepsPrevious(p.clientSecret)) return p;
    const path = `signIn.social.${i}.clientSecret`;
    const before = previousSocial.get(p.provider);
    if (!before) {
      fieldErrors[path] = ['Enter the client secret'];
    } else if (before.clientId !== p.clientId) {
      fieldErrors[path] = ['Enter the client secret for the new client ID'];
    } else if (!isStrongSecret(before.clientSecret)) {
      fieldErrors[path] = [WEAK_STORED];
    }
    return { ...p, clientSecret: before?.clientSecret ?? '' };
  });

  const webhooks = submitted.webhooks.map((w, i) => {
    if (!keepsPrevious(w.signingSecret)) return w;
    const path = `webhooks.${i}.signingSecret`;
    const before = previousWebhooks.get(w.id);
    if (!before) fieldErrors[path] = ['Enter the signing secret'];
    else if (!isStrongSecret(before.signingSecret)) fieldErrors[path] = [WEAK_STORED];
    return { ...w, signingSecret: before?.signingSecret ?? '' };
  });

  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  return { ok: true, data: { ...submitted, signIn: { ...submitted.signIn, social }, webhooks } };
}

/** Every real secret value in a config (markers and empty values excluded). */
export function secretValues(config: AppConfig | MaskedConfig): string[] {
  return [
    ...config.signIn.social.map((p) => p.clientSecret),
    ...config.webhooks.map((w) => w.signingSecret),
  ].filter((v): v is string => !keepsPrevious(v));
}

/** True if any of the config's secrets appears in `text` (for tests and log guards). */
export function containsSecret(text: string, config: AppConfig | MaskedConfig): boolean {
  return secretValues(config).some((secret) => text.includes(secret));
}

export interface SecretSlot {
  /** By identity, not position: `signIn.social.google.clientSecret`, `webhooks.wh_1.signingSecret`. */
  path: string;
  label: string;
}

interface SecretEntry extends SecretSlot {
  value: string;
  /** What the secret belongs to besides its path: a client secret is one client ID's. */
  owner: string;
}

function secretEntries(config: AppConfig | MaskedConfig): SecretEntry[] {
  return [
    ...config.signIn.social.map((p) => ({
      path: `signIn.social.${p.provider}.clientSecret`,
      label: `${p.provider[0]?.toUpperCase() ?? ''}${p.provider.slice(1)} client secret (client ID ${p.clientId})`,
      value: p.clientSecret,
      owner: p.clientId,
    })),
    ...config.webhooks.map((w) => ({
      path: `webhooks.${w.id}.signingSecret`,
      label: `Signing secret of the webhook to ${w.url}`,
      value: w.signingSecret,
      owner: '',
    })),
  ];
}

/** The secrets a config holds, named so a person knows which one to enter. */
export function secretSlots(config: AppConfig | MaskedConfig): SecretSlot[] {
  return secretEntries(config).map(({ path, label }) => ({ path, label }));
}

/**
 * A secret that rolling back to an older config would change, named, never valued.
 * - `changes-back`: the current config holds this secret with another value (it was rotated
 *   since); keeping the current secrets keeps that value.
 * - `returns`: the current config has no such secret (the webhook or provider is gone, or the
 *   provider's client ID changed), so the older value is the only one there is.
 */
export interface SecretRollback extends SecretSlot {
  kind: 'changes-back' | 'returns';
}

/** The secrets of `target` that differ from `current`'s, matched by identity. */
export function secretsRolledBack(target: AppConfig, current: AppConfig | null): SecretRollback[] {
  const now = new Map(current ? secretEntries(current).map((e) => [e.path, e]) : []);
  return secretEntries(target).flatMap(({ path, label, value, owner }): SecretRollback[] => {
    const present = now.get(path);
    if (present && present.owner === owner) {
      return present.value === value ? [] : [{ path, label, kind: 'changes-back' }];
    }
    return [{ path, label, kind: 'returns' }];
  });
}

/**
 * `config` with `source`'s secret wherever `source` holds the same secret (same provider and
 * client ID, same webhook id); every other secret, and everything else, stays `config`'s.
 */
export function withSecretsFrom(config: AppConfig, source: AppConfig): AppConfig {
  const social = new Map(source.signIn.social.map((p) => [p.provider, p]));
  const webhooks = new Map(source.webhooks.map((w) => [w.id, w]));
  return {
    ...config,
    signIn: {
      ...config.signIn,
      social: config.signIn.social.map((p) => {
        const from = social.get(p.provider);
        return from && from.clientId === p.clientId ? { ...p, clientSecret: from.clientSecret } : p;
      }),
    },
    webhooks: config.webhooks.map((w) => {
      const from = webhooks.get(w.id);
      return from ? { ...w, signingSecret: from.signingSecret } : w;
    }),
  };
}

/** The value of the secret at an identity path (`webhooks.orders.signingSecret`), if any. */
export function secretAt(config: AppConfig, path: string): string | undefined {
  return secretEntries(config).find((e) => e.path === path)?.value;
}

/**
 * A copy of `config` in which every secret is one of `values` (keyed by slot path): nothing is
 * carried over from the original, so copying an app never copies its secrets. A slot without a
 * usable value is a field error under its path.
 */
export function withNewSecrets(
  config: AppConfig,
  values: Readonly<Record<string, string>>,
): MergeSecretsResult {
  const fieldErrors: FieldErrors = {};
  const take = (path: string, missing: string) => {
    const value = (values[path] ?? '').trim();
    if (!value || value === SECRET_UNCHANGED) fieldErrors[path] = [missing];
    else if (value.length > 1024) fieldErrors[path] = ['Use at most 1024 characters'];
    else if (value.startsWith('$')) fieldErrors[path] = ['Values can’t start with “$”'];
    else {
      const weakness = secretWeakness(value);
      if (weakness) fieldErrors[path] = [weakness];
    }
    return value;
  };
  const social = config.signIn.social.map((p) => ({
    ...p,
    clientSecret: take(
      `signIn.social.${p.provider}.clientSecret`,
      'Enter this app’s client secret',
    ),
  }));
  const webhooks = config.webhooks.map((w) => ({
    ...w,
    signingSecret: take(`webhooks.${w.id}.signingSecret`, 'Enter this app’s signing secret'),
  }));
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  return { ok: true, data: { ...config, signIn: { ...config.signIn, social }, webhooks } };
}
