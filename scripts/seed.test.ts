import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The demo seed creates a support account with a published password, so `npm run seed` must
 * refuse anything but a devstack, before it connects anywhere.
 */
function seedWith(env: Record<string, string>) {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', 'scripts/seed.ts'],
    {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH, NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(32), ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { ...result, ms: Date.now() - started };
}

// Nothing listens on port 1: a seed that tried to connect would hang or fail differently.
const production = {
  MONGODB_URI: 'mongodb://127.0.0.1:1/?directConnection=true',
  REDIS_PRIMARY_URL: 'redis://127.0.0.1:1',
};

// Each case starts a Node process with tsx, which takes seconds on a loaded machine.
describe('npm run seed', { timeout: 60_000 }, () => {
  it('refuses a deployment that is not a devstack', () => {
    const run = seedWith(production);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('refuses');
    expect(run.stderr).toContain('PROPAGATE_DEVSTACK_DIR is not set');
  });

  it('refuses a devstack directory whose targets are not the ones in the environment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seed-guard-'));
    writeFileSync(
      path.join(dir, 'env'),
      'MONGODB_URI=mongodb://127.0.0.1:2/?directConnection=true\nREDIS_PRIMARY_URL=redis://127.0.0.1:2\n',
    );
    const run = seedWith({ ...production, PROPAGATE_DEVSTACK_DIR: dir });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('MONGODB_URI, REDIS_PRIMARY_URL point elsewhere');
  });
});
