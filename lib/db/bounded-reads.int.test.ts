import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { userPrincipal } from '@/lib/auth/principal';
import { listApiTokensPage, revokeApiToken } from '@/lib/db/api-tokens';
import { auditFilterOptions } from '@/lib/db/audit';
import {
  collections,
  ensureIndexes,
  type ApiTokenDoc,
  type AuditDoc,
  type ConfigVersionDoc,
} from '@/lib/db/collections';
import { readAllHeads } from '@/lib/db/heads';
import { closeMongo } from '@/lib/db/mongo';
import { testPrincipal } from '@/test/helpers/principals';

const run = randomBytes(4).toString('hex');
const tenantId = `bounded-${run}`;
const admin = userPrincipal({
  _id: `u-${run}`,
  name: 'Ada',
  email: `ada-${run}@example.test`,
  role: 'admin',
  tenantId,
});

afterAll(async () => {
  const c = await collections();
  await Promise.all([
    c.apiTokens.deleteMany({ tenantId }),
    c.users.deleteMany({ tenantId }),
    c.apps.deleteMany({ tenantId }),
    c.configVersions.deleteMany({ tenantId }),
  ]);
  await closeMongo();
});

function token(i: number, createdAt: Date): ApiTokenDoc {
  return {
    _id: `tok_${run}${i.toString(16).padStart(16, '0')}`,
    tenantId,
    name: `token ${i}`,
    scope: 'read',
    hash: `hash-${run}-${i}`,
    prefix: 'prp_xxxx',
    createdBy: { userId: admin.id, name: 'Ada', email: admin.email ?? '' },
    createdAt,
    lastUsedAt: null,
    revokedAt: null,
  };
}

describe('the token list', () => {
  it('pages past 500 tokens, also inside a millisecond many share, so the oldest can be revoked', async () => {
    await ensureIndexes();
    const c = await collections();
    const burst = new Date('2026-03-04T05:06:07.008Z');
    const older = new Date(burst.getTime() - 60_000);
    // 700 tokens: the oldest 50 a minute before the rest, which share one millisecond.
    await c.apiTokens.insertMany(
      Array.from({ length: 700 }, (_, i) => token(i, i < 50 ? older : burst)),
    );
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await listApiTokensPage({ tenantId, after, limit: 100 });
      expect(page.active).toBe(700);
      seen.push(...page.tokens.map((t) => t._id));
      pages += 1;
      if (!page.next) break;
      after = page.next;
    }
    expect(pages).toBe(7);
    expect(new Set(seen).size).toBe(700);
    const oldest = token(0, older)._id;
    expect(seen).toContain(oldest);
    await revokeApiToken({ tenantId, tokenId: oldest });
    expect((await listApiTokensPage({ tenantId, limit: 1 })).active).toBe(699);
  });
});

describe('the audit page filters', () => {
  it('suggest the apps and actors of the page shown, not every user and token', async () => {
    const c = await collections();
    await c.users.insertMany(
      Array.from({ length: 20 }, (_, i) => ({
        _id: `u-${run}-${i}`,
        tenantId,
        name: `User ${i}`,
        email: `user${i}-${run}@example.test`,
        role: 'viewer' as const,
        passwordHash: 'x',
        disabled: false,
        sessionVersion: 0,
        createdAt: new Date(),
      })),
    );
    await c.apps.insertMany(
      ['shown', 'hidden'].map((name) => ({
        _id: `${name}-${run}`,
        tenantId,
        name: `App ${name}`,
        description: '',
        createdAt: new Date(),
        headVersion: 0,
      })),
    );
    const entry = (actor: string, appId: string | null): AuditDoc => ({
      at: new Date(),
      action: 'config.saved',
      actor: { kind: 'user', id: null, name: actor },
      tenantId,
      appId,
      summary: 's',
      details: {},
      ip: null,
      userAgent: null,
    });
    const entries = [
      entry(`user3-${run}@example.test`, `shown-${run}`),
      entry('API token “Deploy”', null),
    ];
    const options = await auditFilterOptions(admin, entries, { user: 'typed@example.test' });
    expect(options.apps).toEqual([{ value: `shown-${run}`, label: 'App shown' }]);
    expect(options.actors.map((a) => a.value)).toEqual([
      'API token “Deploy”',
      'typed@example.test',
      `user3-${run}@example.test`,
    ]);
    // Another tenant's app id on the page (it cannot be, but a filter can name one) is not looked up.
    const other = testPrincipal('admin', `other-${run}`);
    expect((await auditFilterOptions(other, entries, {})).apps).toEqual([]);
  });
});

describe('every head, for the fleet', () => {
  function version(appId: string, v: number): ConfigVersionDoc {
    return {
      appId,
      tenantId,
      version: v,
      data: {} as ConfigVersionDoc['data'],
      checksum: `sum-${v}`,
      author: { userId: admin.id, name: 'Ada', email: 'ada@example.test' },
      message: '',
      createdAt: new Date(),
      pushedAt: null,
      pushAttempts: 0,
      lastPushError: null,
      nextPushAt: null,
      rollbackOf: null,
    };
  }

  it('finds each head across pages, also when the materialised headVersion lags', async () => {
    const c = await collections();
    const ids = Array.from({ length: 5 }, (_, i) => `heads-${run}-${i}`);
    await c.apps.insertMany(
      ids.map((id, i) => ({
        _id: id,
        tenantId,
        name: id,
        description: '',
        createdAt: new Date(),
        // App 2's save died before headVersion moved: it still says 1 while version 3 exists.
        headVersion: i === 2 ? 1 : i + 1,
      })),
    );
    await c.configVersions.insertMany(
      ids.flatMap((id, i) =>
        Array.from({ length: i === 2 ? 3 : i + 1 }, (_, v) => version(id, v + 1)),
      ),
    );
    const heads = (await readAllHeads(2)).filter((h) => h.tenantId === tenantId);
    expect(
      Object.fromEntries(
        heads.filter((h) => ids.includes(h.appId)).map((h) => [h.appId, h.version]),
      ),
    ).toEqual(Object.fromEntries(ids.map((id, i) => [id, i === 2 ? 3 : i + 1])));
  });
});
