import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { defaultConfig, SECRET_UNCHANGED, type AppConfig } from '@/lib/schemas/config';

/**
 * fast-check arbitraries for the config property tests (lib/schemas, lib/actions): valid configs
 * with secrets, and what an attacker or a broken client sends instead, built by mutating a valid
 * one at any path so most of the structure stays plausible and reaches deep validation.
 */

/** A secret no message could contain by accident: long, random and recognisable. */
export function freshSecret(kind: string): string {
  return `${kind}_${randomBytes(24).toString('hex')}`;
}

/** A valid config holding a Google client secret and a webhook signing secret. */
export function configWithSecrets(
  secrets = [freshSecret('gsec'), freshSecret('whsec')],
  displayName = 'Property app',
): AppConfig {
  const base = defaultConfig(displayName);
  return {
    ...base,
    signIn: {
      ...base.signIn,
      social: [
        { provider: 'google', clientId: 'client-123.apps.example', clientSecret: secrets[0]! },
      ],
    },
    urls: { ...base.urls, redirectUrls: ['https://shop.example.com/callback'] },
    webhooks: [
      {
        id: 'orders',
        url: 'https://hooks.example.com/propagate',
        events: ['user.created'],
        signingSecret: secrets[1]!,
      },
    ],
  };
}

const nasty = fc.constantFrom<unknown>(
  '',
  ' ',
  '\u0000',
  '\u202e\u200b',
  'a'.repeat(5_000),
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '//evil.example',
  'https://evil.example/\t/',
  'http://user:pass@10.0.0.1/',
  SECRET_UNCHANGED,
  '__proto__',
  'constructor',
  '$where',
  { $ne: null },
  { $gt: '' },
  NaN,
  Infinity,
  -Infinity,
  -0,
  -1,
  1.5,
  2 ** 53,
  1e308,
  null,
  undefined,
  true,
  [],
  {},
  Array.from({ length: 300 }, (_, i) => `https://x${i}.example/`),
  JSON.parse('{"__proto__": {"polluted": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
);

/** Any value a JSON body or a form field can carry, weighted towards the nasty ones. */
export const adversarialValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nasty, weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: fc.anything({ maxDepth: 2, withNullPrototype: true }), weight: 1 },
);

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

type Mutation =
  | { kind: 'set'; path: Path; value: unknown }
  | { kind: 'delete'; path: Path }
  | { kind: 'extra'; path: Path; key: string; value: unknown };

/** Mutations at paths of `base`, applied in order to a copy (see `mutate`). */
export function mutations(base: unknown): fc.Arbitrary<Mutation[]> {
  const paths = pathsOf(base).filter((p) => p.length > 0);
  const path = fc.constantFrom(...paths);
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    {
      arbitrary: fc.record({ kind: fc.constant('set'), path, value: adversarialValue }),
      weight: 4,
    },
    { arbitrary: fc.record({ kind: fc.constant('delete'), path }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('extra'),
        path: fc.constantFrom([] as Path, ...paths),
        key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'isAdmin'), fc.string()),
        value: adversarialValue,
      }),
      weight: 1,
    },
  );
  return fc.array(one, { minLength: 1, maxLength: 4 });
}

/** `base` with the mutations applied, as a JSON body would arrive (own `__proto__` keys too). */
export function mutate<T>(base: T, list: Mutation[]): unknown {
  const root = structuredClone(base) as unknown;
  for (const m of list) {
    const parentPath = m.kind === 'extra' ? m.path : m.path.slice(0, -1);
    let parent: unknown = root;
    for (const key of parentPath) {
      parent = parent !== null && typeof parent === 'object' ? (parent as never)[key] : undefined;
    }
    if (parent === null || typeof parent !== 'object') continue;
    const target = parent as Record<string | number, unknown>;
    const key = m.kind === 'extra' ? m.key : m.path.at(-1)!;
    if (m.kind === 'delete') delete target[key];
    // defineProperty: an own `__proto__` key, as JSON.parse makes it, not a prototype change.
    else
      Object.defineProperty(target, key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return root;
}

/** No property test may leave Object.prototype changed behind it. */
export function prototypeIsClean(): boolean {
  return !('polluted' in {}) && !('isAdmin' in {});
}
