import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAppEnv, loadCacheSealingKey } from '@/lib/env-spec';

const base = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017',
  SESSION_SECRET: 'x'.repeat(32),
};

/** The env as a server parses it, from these variables only. */
function parse(vars: Record<string, string>) {
  const saved = process.env;
  process.env = { NODE_ENV: 'test', ...base, ...vars };
  try {
    return createAppEnv({ skipValidation: false });
  } finally {
    process.env = saved;
  }
}

describe('the cache secret keys in the env', () => {
  const key = randomBytes(32).toString('base64');

  it('gives the sealing key CACHE_SECRET_KEY_ID names', () => {
    const env = parse({ CACHE_SECRET_KEYS: `old:${key},new:${key}`, CACHE_SECRET_KEY_ID: 'new' });
    expect(loadCacheSealingKey(env)).toMatchObject({ kid: 'new' });
  });

  it('is off when neither is set', () => {
    expect(loadCacheSealingKey(parse({}))).toBeNull();
  });

  it('names the variable and the entry of a malformed keyring', () => {
    const messages: string[] = [];
    const saved = console.error;
    console.error = (...args: unknown[]) => messages.push(JSON.stringify(args));
    try {
      expect(() => parse({ CACHE_SECRET_KEYS: 'k1:c2hvcnQ=', CACHE_SECRET_KEY_ID: 'k1' })).toThrow(
        'Invalid environment variables',
      );
    } finally {
      console.error = saved;
    }
    expect(messages.join('\n')).toMatch(/the key is 5 bytes[\s\S]*"path":\["CACHE_SECRET_KEYS"\]/);
  });

  it.each([
    [{ CACHE_SECRET_KEY_ID: 'k1' }, 'CACHE_SECRET_KEY_ID is set but CACHE_SECRET_KEYS is not'],
    [{ CACHE_SECRET_KEYS: `k1:${key}` }, 'set CACHE_SECRET_KEY_ID'],
    [
      { CACHE_SECRET_KEYS: `k1:${key}`, CACHE_SECRET_KEY_ID: 'k2' },
      'CACHE_SECRET_KEY_ID "k2" is not in CACHE_SECRET_KEYS (it lists k1)',
    ],
  ])('refuses %j', (vars, message) => {
    expect(() => loadCacheSealingKey(parse(vars))).toThrow(message);
  });
});
