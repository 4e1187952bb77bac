import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXIT } from '@/cli/exit-codes';
import { fault } from '@/test/helpers/devstack';
import { revokeApiToken } from '@/lib/db/api-tokens';
import { collections } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { createPushedApp, removeApps } from '@/test/helpers/propagation';
import { listRegions } from '@/lib/regions';
import { generateSecret } from '@/lib/schemas/secret-strength';
import { createTestToken } from '@/test/helpers/auth';
import { startRouteServer } from '@/test/helpers/route-server';
import { closeStores } from '@/test/helpers/stores';

/**
 * The `propagate` CLI as a pipeline runs it: a separate process (bin/propagate.mjs) talking
 * HTTP to the real route handlers, on the devstack's MongoDB and Redis, with faults injected by
 * the devstack's own fault control. Its stdout is a pipe here, so it must print plain lines.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const run = randomBytes(4).toString('hex');
const tenant = `cli-${run}`;
const created: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'propagate-cli-'));
let server: Awaited<ReturnType<typeof startRouteServer>>;
let token: string;
let appId: string;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/propagate.mjs'), ...args], {
      cwd: dir,
      env: { ...process.env, PROPAGATE_URL: server.url, PROPAGATE_TOKEN: token, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A config file's sections, as far as these edits need them. */
type Config = Record<string, Record<string, unknown>>;

const replicas = () => listRegions().filter((r) => r.role === 'replica');

/** The app's config as `get -o` writes it, edited. */
async function editedFile(name: string, edit: (config: Config) => unknown) {
  const file = path.join(dir, `${name}.json`);
  const got = await cli(['get', appId, '-o', file]);
  expect(got.code, got.stderr).toBe(EXIT.ok);
  const config = JSON.parse(readFileSync(file, 'utf8')) as Config;
  writeFileSync(file, JSON.stringify(edit(config), null, 2));
  return file;
}

function withIdle(minutes: number) {
  return (c: Config) => ({
    ...c,
    sessions: { ...c.sessions, idleTimeoutMinutes: minutes },
  });
}

beforeAll(async () => {
  for (const r of replicas()) await fault(r.name, 'heal');
  server = await startRouteServer();
  token = (await createTestToken({ tenantId: tenant, scope: 'read-write' })).secret;
  appId = (await createPushedApp(tenant, created, 'cli'))._id;
});

afterAll(async () => {
  for (const r of replicas()) await fault(r.name, 'heal');
  await server.close();
  await removeApps(created);
  const c = await collections();
  await c.apiTokens.deleteMany({ tenantId: tenant });
  rmSync(dir, { recursive: true, force: true });
  await closeStores();
});

describe('propagate CLI', () => {
  it('push --wait saves, shows each region’s arrival as plain lines, converges and exits 0', async () => {
    const file = await editedFile('converge', withIdle(45));
    const served = server.requests.length;
    const ran = await cli([
      'push',
      appId,
      file,
      '-m',
      'from the pipeline',
      '--wait',
      '--timeout',
      '20s',
    ]);
    expect(ran.code, ran.stderr).toBe(EXIT.ok);
    expect(ran.stdout).toContain(`Saved ${appId} v2.`);
    for (const region of listRegions()) {
      expect(ran.stdout).toMatch(new RegExp(`✓ ${region.name}\\s+v2 arrived`));
    }
    expect(ran.stdout).toMatch(/Converged: v2 is in every region/);
    expect(ran.stdout).not.toContain('\x1b['); // piped: no terminal control sequences
    // Arrivals came pushed over the status event stream, not by polling the status endpoint.
    const requests = server.requests.slice(served);
    expect(requests).toContain(`GET /api/apps/${appId}/propagation/events`);
    expect(requests).not.toContain(`GET /api/apps/${appId}/propagation`);
    const head = await readHead(appId);
    expect(head).toMatchObject({ version: 2, message: 'from the pipeline' });
    expect(head?.data.sessions.idleTimeoutMinutes).toBe(45);

    // The same file again is not an error for a pipeline: nothing to save, still converged.
    const again = await cli(['push', appId, file, '--wait', '--timeout', '20s', '--json']);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 2, converged: true });
  });

  it('a stale --if-match exits with the conflict code and says what changed', async () => {
    const file = await editedFile('stale', (c) => ({
      ...c,
      branding: { ...c.branding, primaryColor: '#00AA00' },
    }));
    const ran = await cli(['push', appId, file, '--if-match', 'v1']);
    expect(ran.code, ran.stdout).toBe(EXIT.conflict);
    expect(ran.stderr).toContain(`Conflict: ${appId} is at v2 now; this change started from v1.`);
    expect(ran.stderr).toMatch(
      /Changed since v1:\n\s+~ Sessions › Idle timeout \(sessions\.idleTimeoutMinutes\): 1440 → 45/,
    );
    expect(ran.stderr).toMatch(/branding\.primaryColor/);
    expect((await readHead(appId))?.version).toBe(2);
  });

  it('an invalid file exits with the invalid code and names each field path', async () => {
    const file = await editedFile('invalid', (c) => ({
      ...c,
      urls: { ...c.urls, redirectUrls: ['javascript:alert(1)'] },
      sessions: { ...c.sessions, idleTimeoutMinutes: -5 },
    }));
    const ran = await cli(['push', appId, file]);
    expect(ran.code, ran.stdout).toBe(EXIT.invalid);
    expect(ran.stderr).toMatch(/urls\.redirectUrls\.0: Enter a full URL/);
    expect(ran.stderr).toMatch(/sessions\.idleTimeoutMinutes: /);
    const notJson = path.join(dir, 'broken.json');
    writeFileSync(notJson, '{"signIn": ');
    expect((await cli(['push', appId, notJson])).code).toBe(EXIT.invalid);
    expect((await readHead(appId))?.version).toBe(2);
  });

  it('a partitioned region makes --timeout 5s exit with the not-converged code naming it', async () => {
    const cut = replicas()[0];
    if (!cut) throw new Error('the test stack has no replica region');
    await fault(cut.name, 'partition');
    try {
      const file = await editedFile('partition', withIdle(50));
      const started = Date.now();
      const ran = await cli(['push', appId, file, '--wait', '--timeout', '5s']);
      expect(ran.code, ran.stdout + ran.stderr).toBe(EXIT.notConverged);
      expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
      expect(ran.stderr).toContain(`v3 has not reached ${cut.name}.`);
      for (const other of listRegions().filter((r) => r.name !== cut.name)) {
        expect(ran.stdout).toMatch(new RegExp(`✓ ${other.name}\\s+v3 arrived`));
      }
    } finally {
      await fault(cut.name, 'heal');
    }
    // Once healed, `wait` sees it arrive.
    const waited = await cli(['wait', appId, '--version', '3', '--timeout', '20s']);
    expect(waited.code, waited.stderr).toBe(EXIT.ok);
  });

  it('exits with the auth code and a clear message for a missing or revoked token', async () => {
    const missing = await cli(['apps'], { PROPAGATE_TOKEN: '' });
    expect(missing.code).toBe(EXIT.auth);
    expect(missing.stderr).toMatch(/No API token\. Set PROPAGATE_TOKEN/);

    const { token: doc, secret } = await createTestToken({ tenantId: tenant, scope: 'read' });
    await revokeApiToken({ tenantId: tenant, tokenId: doc._id });
    const revoked = await cli(['status', appId], { PROPAGATE_TOKEN: secret });
    expect(revoked.code).toBe(EXIT.auth);
    expect(revoked.stderr).toMatch(/unknown or revoked.*Check PROPAGATE_TOKEN/);

    const readOnly = (await createTestToken({ tenantId: tenant, scope: 'read' })).secret;
    const file = await editedFile('forbidden', withIdle(55));
    const denied = await cli(['push', appId, file], { PROPAGATE_TOKEN: readOnly });
    expect(denied.code).toBe(EXIT.auth);
  });

  it('exits with the error code when the server cannot be reached; --help lists every code', async () => {
    const down = await cli(['apps'], { PROPAGATE_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(EXIT.error);
    expect(down.stderr).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9/);
    const help = await cli(['--help']);
    expect(help.code).toBe(EXIT.ok);
    for (const code of Object.values(EXIT)) {
      expect(help.stdout).toMatch(new RegExp(`^  ${code}  \\w`, 'm'));
    }
  });

  it('lists, shows history, rolls back, and answers --json everywhere', async () => {
    const apps = await cli(['apps', '--json']);
    expect(apps.code, apps.stderr).toBe(EXIT.ok);
    expect((JSON.parse(apps.stdout) as { id: string }[]).map((a) => a.id)).toEqual([appId]);

    const history = await cli(['history', appId]);
    expect(history.stdout).toMatch(/^v3 /m);

    const rolled = await cli([
      'rollback',
      appId,
      '--to',
      '1',
      '-m',
      'bad idle',
      '--wait',
      '--json',
    ]);
    expect(rolled.code, rolled.stderr).toBe(EXIT.ok);
    expect(JSON.parse(rolled.stdout)).toMatchObject({ version: 4, converged: true });
    expect((await readHead(appId))?.rollbackOf).toBe(1);

    const status = await cli(['status', appId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ appId, head: { version: 4 } });

    const unknown = await cli(['status', 'no-such-app']);
    expect(unknown.code).toBe(EXIT.notFound);
    const usage = await cli(['push', appId]);
    expect(usage.code).toBe(EXIT.usage);
  });

  it('rollback keeps secrets rotated since, unless --restore-secrets', async () => {
    const hook = (signingSecret: string, idle: number) => (c: Config) => ({
      ...withIdle(idle)(c),
      webhooks: [
        {
          id: 'cli-hook',
          url: 'https://hooks.example.com/cli',
          events: ['user.created'],
          signingSecret,
        },
      ],
    });
    const [first, rotated] = [`whsec-cli-${generateSecret()}`, `whsec-cli-${generateSecret()}`];
    expect((await cli(['push', appId, await editedFile('hook-1', hook(first, 40))])).code).toBe(
      EXIT.ok,
    );
    const target = (await readHead(appId))!.version;
    expect((await cli(['push', appId, await editedFile('hook-2', hook(rotated, 41))])).code).toBe(
      EXIT.ok,
    );

    const kept = await cli(['rollback', appId, '--to', String(target)]);
    expect(kept.code, kept.stderr).toBe(EXIT.ok);
    expect(kept.stdout).toContain('Kept the current value of: webhooks.cli-hook.signingSecret');
    expect((await readHead(appId))?.data.webhooks[0]?.signingSecret).toBe(rotated);

    const restored = await cli([
      'rollback',
      appId,
      '--to',
      String(target),
      '--restore-secrets',
      '--json',
    ]);
    expect(restored.code, restored.stderr).toBe(EXIT.ok);
    expect(JSON.parse(restored.stdout)).toMatchObject({
      secrets: { choice: 'restore', kept: [], restored: ['webhooks.cli-hook.signingSecret'] },
    });
    expect((await readHead(appId))?.data.webhooks[0]?.signingSecret).toBe(first);
    expect(kept.stdout + restored.stdout).not.toContain(first);
    expect(kept.stdout + restored.stdout).not.toContain(rotated);
  });
});
