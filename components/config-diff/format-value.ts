import { SOCIAL_PROVIDER_LABELS, REGISTRATION_FIELD_LABELS } from '@/lib/schemas/config';
import { SECRET_DISPLAY, SECRET_UNCHANGED } from '@/lib/secrets';
import { SECRET_REDACTED } from '@/lib/config-diff';

const FACTOR_LABELS: Record<string, string> = {
  totp: 'Authenticator app',
  sms: 'Text message',
  email: 'Email code',
  webauthn: 'Passkey / security key',
};

const EVENT_LABELS: Record<string, string> = {
  'user.created': 'User created',
  'user.updated': 'User updated',
  'user.deleted': 'User deleted',
  'user.signed_in': 'User signed in',
  'user.signed_out': 'User signed out',
  'user.password_changed': 'Password changed',
  'user.locked_out': 'User locked out',
  'config.changed': 'Configuration changed',
};

const LEVEL_LABELS: Record<string, string> = {
  off: 'Off',
  optional: 'Optional',
  required: 'Required',
};

/**
 * Labels of option values, by the setting they belong to: "email" is a factor in one place
 * and an OAuth scope in another. Paths may address list items by position or by identity.
 */
export function optionLabels(path: string): Record<string, string> | undefined {
  if (/^mfa\.factors(\.|$)/.test(path)) return FACTOR_LABELS;
  if (/^webhooks\.[^.]+\.events(\.|$)/.test(path)) return EVENT_LABELS;
  if (/^signIn\.social(\.[^.]+\.provider)?$/.test(path)) return SOCIAL_PROVIDER_LABELS;
  if (/^registration\.fields(\.[^.]+\.name)?$/.test(path)) return REGISTRATION_FIELD_LABELS;
  if (path === 'mfa.policy' || path === 'registration.emailVerification') return LEVEL_LABELS;
  return undefined;
}

/** Option lists for the editor's controls, labelled like everywhere else. */
export function labelledOptions(path: string, values: readonly string[]) {
  const labels = optionLabels(path);
  return values.map((value) => ({ value, label: labels?.[value] ?? value }));
}

const plural = (n: number, unit: string) =>
  `${n.toLocaleString('en-GB')} ${unit}${n === 1 ? '' : 's'}`;

/** 10080 minutes → "7 days": lifetimes read better in the largest whole unit. */
function humanDuration(seconds: number): string {
  const units: [string, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size && seconds % size === 0) return plural(seconds / size, unit);
  }
  return plural(seconds, 'second');
}

function formatNumber(path: string, n: number): string {
  if (path.endsWith('Seconds')) return humanDuration(n);
  if (path.endsWith('Minutes')) return humanDuration(n * 60);
  if (path.endsWith('maxAgeDays')) return n === 0 ? 'Never expire' : plural(n, 'day');
  if (path.endsWith('Days')) return n === 0 ? 'Never' : plural(n, 'day');
  if (path.endsWith('minLength')) return plural(n, 'character');
  return n.toLocaleString('en-GB');
}

/** A config value as a person reads it. Secrets (masked or redacted) never show a value. */
export function formatValue(path: string, value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (value === SECRET_UNCHANGED || value === SECRET_REDACTED) return `${SECRET_DISPLAY} (hidden)`;
  if (typeof value === 'boolean') return value ? 'On' : 'Off';
  if (typeof value === 'number') return formatNumber(path, value);
  if (typeof value === 'string') return value === '' ? '—' : (optionLabels(path)?.[value] ?? value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'None';
    return value.map((item) => formatValue(path, item)).join(', ');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${formatValue(`${path}.${k}`, v)}`)
      .join('; ');
  }
  return typeof value === 'bigint' ? value.toString() : '—';
}
