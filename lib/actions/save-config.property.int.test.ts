import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { saveConfig } from '@/lib/actions/save-config';
import { createApp } from '@/lib/db/apps';
import { collections } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { configSchema, SECRET_UNCHANGED, type AppConfig } from '@/lib/schemas/config';
import { maskSecrets, secretValues } from '@/lib/secrets';
import { runId } from '@/test/helpers/auth';
import {
  adversarialValue,
  configWithSecrets,
  freshSecret,
  mutate,
  mutations,
  prototypeIsClean,
} from '@/test/helpers/config-arbitraries';
import { removeApps } from '@/test/helpers/propagation';
import { testPrincipal } from '@/test/helpers/principals';
import { closeStores } from '@/test/helpers/stores';

/**
 * The save action as a public endpoint fed random and adversarial bodies: it always answers with
 * a result (never an internal error), stores a version only when the config is valid, and never
 * puts a secret (stored or submitted) in what it answers.
 */

const run = runId();
const tenantId = `prop-${run}`;
const appId = `prop-save-${run}`;
const admin = testPrincipal('admin', tenantId, run);
const storedSecrets = [freshSecret('gsec'), freshSecret('whsec')];
/** Secrets a mutation may submit; they must not come back either. */
const submittedSecret = fc.constantFrom(freshSecret('new'), freshSecret('new'));

beforeAll(async () => {
  await createApp({
    id: appId,
    tenantId,
    name: 'Property app',
    description: '',
    config: configWithSecrets(storedSecrets),
    author: { userId: 'seed', name: 'Seed', email: 'seed@example.test' },
    message: 'first',
  });
});

afterAll(async () => {
  await removeApps([appId]);
  const c = await collections();
  await c.audit.deleteMany({ appId });
  await closeStores();
});

async function check(raw: unknown, submitted: string[]) {
  const before = await readHead(appId);
  if (!before) throw new Error('no head');
  const result = await saveConfig.run(admin, raw, { ip: null, userAgent: 'property-test' });
  expect(result.status).not.toBe('error');
  const text = JSON.stringify(result);
  for (const secret of [...secretValues(before.data), ...storedSecrets, ...submitted]) {
    expect(text).not.toContain(secret);
  }
  const after = await readHead(appId);
  if (!after) throw new Error('no head after');
  if (result.status === 'ok') {
    expect(after.version).toBe(before.version + 1);
    expect(configSchema.safeParse(after.data).success).toBe(true);
    expect(secretValues(after.data)).not.toContain(SECRET_UNCHANGED);
  } else {
    expect(after.version).toBe(before.version);
  }
  expect(prototypeIsClean()).toBe(true);
  return result.status;
}

describe('saveConfig.run under random and adversarial input', { timeout: 180_000 }, () => {
  it('answers any body with a result and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(adversarialValue, async (raw) => {
        expect(await check(raw, [])).toBe('invalid');
      }),
      { numRuns: 60 },
    );
  });

  it('stores only valid configs, whatever is mutated, and never echoes a secret', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        mutations(maskSecrets(configWithSecrets())),
        submittedSecret,
        fc.boolean(),
        async (list, secret, withSecret) => {
          const head = await readHead(appId);
          if (!head) throw new Error('no head');
          // Masked, then changed like any editor's copy (a new webhook secret included).
          const config = maskSecrets(head.data) as unknown as AppConfig;
          const webhook = config.webhooks[0];
          if (withSecret && webhook) webhook.signingSecret = secret;
          const raw = {
            appId,
            baseVersion: head.version,
            config: mutate(config, list),
            message: 'property',
          };
          seen.add(await check(raw, withSecret ? [secret] : []));
        },
      ),
      { numRuns: 60 },
    );
    // Both branches ran: some mutations save, most are refused.
    expect(seen.has('invalid')).toBe(true);
  });
});
