import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configInputSchema,
  configSchema,
  parseConfigInput,
  SECRET_UNCHANGED,
} from '@/lib/schemas/config';
import { mergeSecrets, secretValues } from '@/lib/secrets';
import {
  adversarialValue,
  configWithSecrets,
  mutate,
  mutations,
  prototypeIsClean,
} from '@/test/helpers/config-arbitraries';

/**
 * Whatever arrives as a config, parsing answers with a result (never a throw), accepts only what
 * the schema accepts, and never repeats a secret in what it says back.
 */

const stored = configWithSecrets();
const secrets = secretValues(stored);

function assertParses(raw: unknown) {
  let result: ReturnType<typeof parseConfigInput> | undefined;
  expect(() => (result = parseConfigInput(raw))).not.toThrow();
  if (!result) throw new Error('no result');
  const text = JSON.stringify(result.ok ? {} : result);
  for (const secret of secrets) expect(text).not.toContain(secret);
  if (result.ok) {
    // Accepted data is schema-valid, survives JSON, and parses to itself again.
    expect(configInputSchema.safeParse(result.data).success).toBe(true);
    const again = parseConfigInput(JSON.parse(JSON.stringify(result.data)));
    expect(again).toEqual({ ok: true, data: result.data });
    // Secret markers resolved against a stored config give a storable config, or say which
    // field needs a value: never an invalid stored config.
    const merged = mergeSecrets(result.data, stored);
    if (merged.ok) expect(configSchema.safeParse(merged.data).success).toBe(true);
  }
  expect(prototypeIsClean()).toBe(true);
  return result;
}

describe('parseConfigInput under random and adversarial input', { timeout: 120_000 }, () => {
  it('answers any JSON value, and anything else a caller can hand it', () => {
    fc.assert(
      fc.property(adversarialValue, (raw) => void assertParses(raw)),
      { numRuns: 400 },
    );
  });

  it('answers a valid config mutated anywhere, and accepts only schema-valid ones', () => {
    const masked = {
      ...stored,
      signIn: {
        ...stored.signIn,
        social: stored.signIn.social.map((p) => ({ ...p, clientSecret: SECRET_UNCHANGED })),
      },
    };
    let accepted = 0;
    fc.assert(
      fc.property(mutations(masked), (list) => {
        if (assertParses(mutate(masked, list)).ok) accepted += 1;
      }),
      { numRuns: 1_000 },
    );
    // Some mutations are harmless (a valid value in a valid place): both branches were tried.
    expect(accepted).toBeGreaterThan(0);
  });

  it('never names a submitted secret in a field error', () => {
    fc.assert(
      fc.property(mutations(stored), (list) => {
        const result = assertParses(mutate(stored, list));
        if (!result.ok) {
          for (const secret of secrets) expect(JSON.stringify(result)).not.toContain(secret);
        }
      }),
      { numRuns: 500 },
    );
  });
});
