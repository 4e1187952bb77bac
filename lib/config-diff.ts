/**
 * Human-readable differences between two configurations, for the conflict screen, the version
 * history and the audit log. Secrets never appear: a changed secret is reported without values,
 * and secrets inside added or removed items are replaced by SECRET_REDACTED.
 *
 * Paths are dotted. List items with an identity (social provider, webhook id, registration
 * field name) are addressed by it, not by position: `signIn.social.google.clientId`, so a
 * reordered list does not read as every item changing. Items of plain lists (URLs, factors,
 * events) are reported as added/removed values at the list's own path.
 */
import {
  create,
  type AddedDelta,
  type ArrayDelta,
  type Delta,
  type DeletedDelta,
  type ModifiedDelta,
} from 'jsondiffpatch';
import {
  REGISTRATION_FIELD_LABELS,
  SOCIAL_PROVIDER_LABELS,
  type AppConfig,
} from '@/lib/schemas/config';
import { isSecretPath } from '@/lib/secrets';

export interface ConfigChange {
  path: string;
  label: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
  /** a secret changed; its values are never included */
  secret?: true;
}

export const SECRET_REDACTED = '[secret]';

// ──────────────────────────────────────────── Labels ────────────────────────────────────────────

/** Labels by path pattern; `*` stands for a list item. Shared with the form. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  signIn: 'Sign-in',
  'signIn.password': 'Password',
  'signIn.password.enabled': 'Enabled',
  'signIn.passwordless': 'Email link',
  'signIn.passwordless.enabled': 'Enabled',
  'signIn.passwordless.linkLifetimeMinutes': 'Link lifetime',
  'signIn.social': 'Social providers',
  'signIn.social.*.provider': 'Provider',
  'signIn.social.*.clientId': 'Client ID',
  'signIn.social.*.clientSecret': 'Client secret',
  'signIn.social.*.scopes': 'Scopes',
  mfa: 'MFA',
  'mfa.policy': 'Policy',
  'mfa.factors': 'Factors',
  'mfa.rememberDeviceDays': 'Remember device for',
  passwordPolicy: 'Password policy',
  'passwordPolicy.minLength': 'Minimum length',
  'passwordPolicy.requireUppercase': 'Require an upper-case letter',
  'passwordPolicy.requireNumber': 'Require a number',
  'passwordPolicy.requireSymbol': 'Require a symbol',
  'passwordPolicy.historyCount': 'Previous passwords remembered',
  'passwordPolicy.maxAgeDays': 'Password expiry',
  sessions: 'Sessions',
  'sessions.sessionLifetimeMinutes': 'Session lifetime',
  'sessions.idleTimeoutMinutes': 'Idle timeout',
  'sessions.accessTokenLifetimeSeconds': 'Access token lifetime',
  'sessions.refreshTokenLifetimeSeconds': 'Refresh token lifetime',
  'sessions.refreshTokenRotation': 'Refresh token rotation',
  urls: 'URLs',
  'urls.allowedOrigins': 'Allowed origins',
  'urls.redirectUrls': 'Redirect URLs',
  'urls.logoutUrls': 'Logout URLs',
  rateLimits: 'Rate limits',
  'rateLimits.signInAttemptsPerMinute': 'Sign-in attempts per minute',
  'rateLimits.lockout': 'Lockout',
  'rateLimits.lockout.enabled': 'Enabled',
  'rateLimits.lockout.threshold': 'Failed attempts before lockout',
  'rateLimits.lockout.durationMinutes': 'Lockout duration',
  registration: 'Registration',
  'registration.enabled': 'Sign-up allowed',
  'registration.fields': 'Sign-up fields',
  'registration.fields.*.name': 'Field',
  'registration.fields.*.required': 'Required',
  'registration.emailVerification': 'Email verification',
  branding: 'Branding',
  'branding.displayName': 'Display name',
  'branding.primaryColor': 'Primary colour',
  'branding.logoUrl': 'Logo URL',
  webhooks: 'Webhooks',
  'webhooks.*.id': 'ID',
  'webhooks.*.url': 'URL',
  'webhooks.*.events': 'Events',
  'webhooks.*.signingSecret': 'Signing secret',
  features: 'Features',
  'features.newUniversalLogin': 'New Universal Login',
  'features.breachedPasswordDetection': 'Breached password detection',
  'features.adaptiveMfa': 'Adaptive MFA',
  'features.organizations': 'Organisations',
};

/** Lists whose next path segment is an item (a position, or an identity in diff paths). */
const LISTS = new Set([
  'signIn.social',
  'signIn.social.*.scopes',
  'mfa.factors',
  'urls.allowedOrigins',
  'urls.redirectUrls',
  'urls.logoutUrls',
  'registration.fields',
  'webhooks',
  'webhooks.*.events',
]);

const ITEM_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'signIn.social': SOCIAL_PROVIDER_LABELS,
  'registration.fields': REGISTRATION_FIELD_LABELS,
};

function itemLabel(list: string, segment: string): string {
  if (/^\d+$/.test(segment)) return `#${Number(segment) + 1}`;
  return ITEM_LABELS[list]?.[segment] ?? segment;
}

/** "sessions.refreshTokenLifetimeSeconds" → "Sessions › Refresh token lifetime". */
export function fieldLabel(path: string): string {
  if (path === '') return 'Configuration';
  const parts: string[] = [];
  let pattern = '';
  for (const segment of path.split('.')) {
    const isItem = LISTS.has(pattern);
    const parent = pattern;
    pattern = [parent, isItem ? '*' : segment].filter(Boolean).join('.');
    parts.push(isItem ? itemLabel(parent, segment) : (FIELD_LABELS[pattern] ?? segment));
  }
  return parts.join(' › ');
}

// ──────────────────────────────────────────── Diffing ───────────────────────────────────────────

type Path = readonly string[];

function identityOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const record = item as Record<string, unknown>;
  for (const key of ['provider', 'id', 'name']) {
    const value = record[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

const differ = create({
  // Items without an identity are matched by position.
  objectHash: (item, index) => identityOf(item) ?? `#${index ?? ''}`,
  arrays: { detectMove: true },
});

// jsondiffpatch exports its delta guards as types only; these follow its delta format.
const isArrayDelta = (d: Delta): d is ArrayDelta =>
  isObject(d) && !Array.isArray(d) && (d as { _t?: unknown })._t === 'a';
const isAddedDelta = (d: Delta): d is AddedDelta => Array.isArray(d) && d.length === 1;
const isModifiedDelta = (d: Delta): d is ModifiedDelta => Array.isArray(d) && d.length === 2;
const isDeletedDelta = (d: Delta): d is DeletedDelta =>
  Array.isArray(d) && d.length === 3 && d[1] === 0 && d[2] === 0;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const child = (v: unknown, key: string): unknown => (isObject(v) ? v[key] : undefined);

/** Where a list item lives: its identity (or position) for objects, the list itself for plain values. */
function itemPath(list: Path, item: unknown, index: number): Path {
  return isObject(item) ? [...list, identityOf(item) ?? String(index)] : list;
}

/** Deep copy with every secret replaced, so added/removed items can be shown whole. */
function redact(value: unknown, path: Path): unknown {
  if (isSecretPath(path.join('.'))) return SECRET_REDACTED;
  if (Array.isArray(value)) return value.map((item, i) => redact(item, itemPath(path, item, i)));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, [...path, k])]));
  }
  return value;
}

class ChangeList {
  readonly changes: ConfigChange[] = [];

  add(kind: ConfigChange['kind'], path: Path, values: { before?: unknown; after?: unknown }) {
    const dotted = path.join('.');
    const change: ConfigChange = { path: dotted, label: fieldLabel(dotted), kind };
    if (isSecretPath(dotted)) change.secret = true;
    else {
      if ('before' in values) change.before = redact(values.before, path);
      if ('after' in values) change.after = redact(values.after, path);
    }
    this.changes.push(change);
  }
}

function walk(delta: Delta, left: unknown, right: unknown, path: Path, out: ChangeList): void {
  if (delta === undefined) return;
  if (isArrayDelta(delta)) return walkList(delta, asArray(left), asArray(right), path, out);
  if (isAddedDelta(delta)) return out.add('added', path, { after: delta[0] });
  if (isModifiedDelta(delta))
    return out.add('changed', path, { before: delta[0], after: delta[1] });
  if (isDeletedDelta(delta)) return out.add('removed', path, { before: delta[0] });
  if (Array.isArray(delta)) return; // a move: reported by walkList as an order change
  for (const [key, sub] of Object.entries(delta)) {
    walk(sub, child(left, key), child(right, key), [...path, key], out);
  }
}

function walkList(
  delta: ArrayDelta,
  left: unknown[],
  right: unknown[],
  path: Path,
  out: ChangeList,
) {
  // ArrayDelta mixes '_t' with item deltas, so its entries come out untyped.
  for (const [key, sub] of Object.entries(delta) as [string, Delta][]) {
    if (key === '_t') continue;
    if (key.startsWith('_')) {
      // "_n" keys index the old list: removals (and moves, covered by the order check below)
      const index = Number(key.slice(1));
      const before = left[index];
      if (isDeletedDelta(sub)) out.add('removed', itemPath(path, before, index), { before });
      continue;
    }
    // "n" keys index the new list: additions, or changes inside an item matched by identity
    const index = Number(key);
    const after = right[index];
    if (isAddedDelta(sub)) {
      out.add('added', itemPath(path, after, index), { after });
    } else {
      const id = identityOf(after);
      const before = id === undefined ? left[index] : left.find((item) => identityOf(item) === id);
      walk(sub, before, after, itemPath(path, after, index), out);
    }
  }
  reportOrderChange(left, right, path, out);
}

/** Order matters (it is the order on the login page), so a reorder is one change of the list. */
function reportOrderChange(left: unknown[], right: unknown[], path: Path, out: ChangeList) {
  const key = (item: unknown) => (isObject(item) ? identityOf(item) : JSON.stringify(item));
  const leftKeys = left.map(key);
  const rightKeys = right.map(key);
  const common = (keys: (string | undefined)[], other: (string | undefined)[]) =>
    keys.filter((k) => k !== undefined && other.includes(k));
  const before = common(leftKeys, rightKeys);
  const after = common(rightKeys, leftKeys);
  if (before.some((k, i) => k !== after[i])) {
    const shown = (list: unknown[]) =>
      list.map((item) => (isObject(item) ? identityOf(item) : item));
    out.add('changed', path, { before: shown(left), after: shown(right) });
  }
}

const KIND_ORDER: Record<ConfigChange['kind'], number> = { removed: 0, changed: 1, added: 2 };

function compareChanges(a: ConfigChange, b: ConfigChange): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  const text = (c: ConfigChange) => JSON.stringify([c.before, c.after]) ?? '';
  return text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0;
}

/** Every difference from `before` to `after`, ordered by path. Never contains a secret. */
export function diffConfigs(before: AppConfig, after: AppConfig): ConfigChange[] {
  const out = new ChangeList();
  walk(differ.diff(before, after), before, after, [], out);
  return out.changes.sort(compareChanges);
}

const SUMMARY_LABELS = 5;

/** One line for the audit log: "3 changes: Branding › Primary colour, Sessions › Idle timeout, …". */
export function summarizeDiff(changes: readonly ConfigChange[]): string {
  if (changes.length === 0) return 'No changes';
  const labels = [...new Set(changes.map((c) => c.label))];
  const shown = labels.slice(0, SUMMARY_LABELS).join(', ');
  const more = labels.length > SUMMARY_LABELS ? ` and ${labels.length - SUMMARY_LABELS} more` : '';
  const count = changes.length === 1 ? '1 change' : `${changes.length} changes`;
  return `${count}: ${shown}${more}`;
}
