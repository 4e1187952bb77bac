import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Imports inside lib/ run one way only: each folder (or top-level file) may import only from
 * the layers below its own. A loop between two folders means a type or a rule sits one floor
 * too high; this test names the import that breaks the order. Tests are not checked: they may
 * reach anything they exercise.
 */
const layers: string[][] = [
  // What the logger needs, below the logger.
  ['log-level'],
  // Pure: errors, the public contract, the pure model and policy, the schemas.
  [
    'errors',
    'cn',
    'format-time',
    'security-headers',
    'timing',
    'log',
    'metrics',
    'request-limits',
    'server-action-reply',
    'search-params',
  ],
  ['contract', 'auth', 'server-action-request'],
  ['model', 'config-client'],
  ['schemas'],
  ['secrets', 'results', 'env-spec'],
  ['config-diff', 'env'],
  ['request-meta', 'regions', 'fingerprint'],
  // Connections.
  ['redis', 'db', 'regions-health'],
  // Domain.
  ['session', 'instances', 'propagation'],
  ['arrivals', 'versions', 'deployments', 'webhooks'],
  ['apps', 'users', 'worker', 'seed'],
  // Actions, route helpers and the browser's query options at the top.
  ['actions', 'api', 'query'],
];

const root = path.resolve(import.meta.dirname, '..');
const lib = path.join(root, 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

/** `lib/db/apps.ts` → `db`; `lib/regions.ts` → `regions`. */
function unitOf(file: string): string {
  const [first, ...rest] = path.relative(lib, file).split(path.sep);
  return rest.length > 0 ? first! : first!.replace(/\.tsx?$/, '');
}

function libImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.flatMap((spec) => {
    const target = spec.startsWith('@/')
      ? path.join(root, spec.slice(2))
      : spec.startsWith('.')
        ? path.resolve(path.dirname(file), spec)
        : null;
    return target && target.startsWith(lib + path.sep) ? [target] : [];
  });
}

describe('lib layers', () => {
  const rank = new Map(layers.flatMap((units, i) => units.map((u) => [u, i] as const)));
  const files = sourceFiles(lib);
  const edges = files.flatMap((file) =>
    libImports(file).map((target) => ({ file, from: unitOf(file), to: unitOf(target) })),
  );

  it('places every folder and top-level file of lib in a layer', () => {
    const units = [...new Set(files.map(unitOf))].sort();
    expect(units.filter((u) => !rank.has(u))).toEqual([]);
  });

  it('has every import go to a lower layer', () => {
    const upward = edges
      .filter((e) => e.from !== e.to && rank.get(e.to)! >= rank.get(e.from)!)
      .map(
        (e) =>
          `${path.relative(root, e.file)} imports ${e.to} (layer ${rank.get(e.to)} ≥ ${rank.get(e.from)})`,
      );
    expect(upward).toEqual([]);
  });
});
