import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GET as getConfig } from '@/app/api/apps/[appId]/config/route';
import { GET as appPropagation } from '@/app/api/apps/[appId]/propagation/route';
import { GET as listVersions } from '@/app/api/apps/[appId]/versions/route';
import { GET as getVersion } from '@/app/api/apps/[appId]/versions/[version]/route';
import { collections } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { fingerprint } from '@/lib/fingerprint';
import { stopObserver } from '@/lib/propagation/observer/instance';
import { createTestToken, requestWith, runId, type Credential } from '@/test/helpers/auth';
import { createPushedApp, removeApps } from '@/test/helpers/propagation';
import { closeStores } from '@/test/helpers/stores';

/**
 * A read token sees the config masked; the checksum of the unmasked config would let it test
 * guesses of a secret offline. Every answer it gets carries a keyed fingerprint instead.
 */
const run = runId();
const tenant = `fingerprint-${run}`;
const created: string[] = [];
let reader: Credential;

beforeAll(async () => {
  reader = {
    kind: 'bearer',
    token: (await createTestToken({ tenantId: tenant, scope: 'read' })).secret,
  };
});

afterAll(async () => {
  await removeApps(created);
  await (await collections()).apiTokens.deleteMany({ tenantId: tenant });
  await stopObserver();
  await closeStores({ subscribers: true });
});

type Handler = (request: Request, ctx: { params: Promise<unknown> }) => Promise<Response>;

async function text(handler: Handler, path: string, params: Record<string, string>) {
  const response = await handler(requestWith(reader, path), { params: Promise.resolve(params) });
  expect(response.status).toBe(200);
  return response.text();
}

describe('what a read token is shown of a config’s checksum', () => {
  it('is a keyed fingerprint in the status, the config and the history, never the checksum', async () => {
    const app = await createPushedApp(tenant, created, 'fp');
    const head = await readHead(app._id);
    if (!head) throw new Error('no head');
    const params = { appId: app._id };
    const answers = [
      await text(appPropagation, `/api/apps/${app._id}/propagation`, params),
      await text(getConfig, `/api/apps/${app._id}/config`, params),
      await text(listVersions, `/api/apps/${app._id}/versions`, params),
      await text(getVersion, `/api/apps/${app._id}/versions/1`, { ...params, version: '1' }),
    ];
    for (const answer of answers) {
      expect(answer).not.toContain(head.checksum);
      expect(answer).toContain(fingerprint(head.checksum));
    }
    const status = JSON.parse(answers[0]!) as {
      head: { checksum: string };
      regions: { stamp: { checksum: string } | null }[];
    };
    expect(status.head.checksum).toBe(fingerprint(head.checksum));
    expect(status.regions.some((r) => r.stamp?.checksum === status.head.checksum)).toBe(true);
  });
});
