import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';

import { createApiToken } from '@/lib/actions/create-api-token';
import { findActiveTokenByHash } from '@/lib/db/api-tokens';
import { listAuditForPrincipal } from '@/lib/db/audit';
import { collections, ensureIndexes, type AuditDoc } from '@/lib/db/collections';
import { closeMongo } from '@/lib/db/mongo';
import { auditCursor } from '@/lib/schemas/audit';
import { testPrincipal } from '@/test/helpers/principals';

const run = randomBytes(4).toString('hex');
const tenantId = `audit-${run}`;
const admin = testPrincipal('admin', tenantId, run);

afterAll(async () => {
  const c = await collections();
  await c.audit.deleteMany({ tenantId });
  await c.apiTokens.deleteMany({ tenantId });
  await closeMongo();
});

function entry(at: Date, i: number): AuditDoc {
  return {
    at,
    action: 'config.saved',
    actor: { kind: 'user', id: admin.id, name: admin.email ?? '' },
    tenantId,
    appId: null,
    summary: `entry ${i}`,
    details: {},
    ip: null,
    userAgent: null,
  };
}

describe('audit paging', () => {
  it('reaches every entry, also when a page ends inside a millisecond many entries share', async () => {
    const c = await collections();
    const burst = new Date('2026-01-02T03:04:05.006Z');
    const earlier = new Date(burst.getTime() - 1_000);
    await c.audit.insertMany([
      ...Array.from({ length: 10 }, (_, i) => entry(earlier, i)),
      ...Array.from({ length: 250 }, (_, i) => entry(burst, 10 + i)),
    ]);
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const found = await listAuditForPrincipal(admin, { before }, 101);
      const entries = found.slice(0, 100);
      seen.push(...entries.map((e) => e.summary));
      if (found.length <= 100) break;
      const last = entries.at(-1)!;
      before = auditCursor({ at: last.at, _id: String(last._id) });
    }
    expect(new Set(seen).size).toBe(260);
    expect(seen).toHaveLength(260);
  });
});

describe('indexes', () => {
  async function keysOf(name: 'audit' | 'configVersions') {
    await ensureIndexes();
    const c = await collections();
    const indexes = (await c[name].listIndexes().toArray()) as { key: Record<string, number> }[];
    return indexes.map((i) => JSON.stringify(i.key));
  }

  it('serve the arrival poller, which asks for recent commits every second', async () => {
    expect(await keysOf('configVersions')).toContain(JSON.stringify({ createdAt: 1 }));
  });

  it('serve audit pages in (at, _id) order, per tenant and across tenants', async () => {
    const keys = await keysOf('audit');
    expect(keys).toContain(JSON.stringify({ tenantId: 1, at: -1, _id: -1 }));
    expect(keys).toContain(JSON.stringify({ at: -1, _id: -1 }));
  });
});

describe('creating an API token when the audit log cannot record it', () => {
  it('leaves no usable token behind and says so', async () => {
    // A user agent beyond MongoDB's 16 MB document limit: the audit insert really fails, after
    // the token itself was stored.
    const meta = { ip: null, userAgent: 'x'.repeat(17 * 1024 * 1024) };
    const result = await createApiToken.run(admin, { name: 'unaudited', scope: 'read' }, meta);
    expect(result.status).toBe('error');
    if (result.status !== 'error') return;
    expect(result.message).toMatch(/not created|nothing can use it/i);
    const c = await collections();
    const stored = await c.apiTokens.find({ tenantId, name: 'unaudited' }).toArray();
    // Whatever was stored cannot authenticate anything.
    expect(stored.length).toBeLessThanOrEqual(1);
    for (const token of stored) {
      expect(token.revokedAt).not.toBeNull();
      expect(await findActiveTokenByHash(token.hash)).toBeNull();
    }
  });
});
