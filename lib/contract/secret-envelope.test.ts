import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  openSecrets,
  parseSecretKeys,
  sealedKeyIds,
  sealSecrets,
  type SealingKey,
} from '@/lib/contract/secret-envelope';

const k1: SealingKey = { kid: 'k1', key: randomBytes(32) };
const k2: SealingKey = { kid: 'k2', key: randomBytes(32) };
const keys = new Map([
  [k1.kid, k1.key],
  [k2.kid, k2.key],
]);
const isSecret = (path: string) => /^(?:social\.\d+\.clientSecret|hook\.secret)$/.test(path);
const config = {
  name: 'Acme',
  social: [
    { provider: 'google', clientId: 'g-id', clientSecret: 'google-secret-value' },
    { provider: 'github', clientId: 'h-id', clientSecret: 'github-secret-value' },
  ],
  hook: { url: 'https://hooks.example.test', secret: 'whsec_hook-secret-value' },
};
const at = { appId: 'acme-login', version: 3 };

type Sealed = typeof config & {
  social: { clientSecret: { kid: string; iv: string; ct: string } }[];
  hook: { secret: { ct: string } };
};

describe('sealed secrets', () => {
  it('seals only the secret fields, each with its own IV, and opens them back', () => {
    const sealed = sealSecrets(config, k1, at, isSecret) as Sealed;
    const text = JSON.stringify(sealed);
    for (const secret of ['google-secret-value', 'github-secret-value', 'whsec_hook-secret-value'])
      expect(text).not.toContain(secret);
    expect(sealed).toMatchObject({ name: 'Acme', hook: { url: 'https://hooks.example.test' } });
    expect(sealed.social[0]).toMatchObject({
      provider: 'google',
      clientId: 'g-id',
      clientSecret: { $enc: 'v1', kid: 'k1' },
    });
    expect(sealed.social[0]!.clientSecret.iv).not.toBe(sealed.social[1]!.clientSecret.iv);
    expect(sealedKeyIds(sealed)).toEqual(new Set(['k1']));
    expect(openSecrets(sealed, keys, at)).toEqual({ status: 'ok', value: config });
  });

  it('leaves a body without envelopes as it is', () => {
    expect(openSecrets(config, new Map(), at)).toEqual({ status: 'ok', value: config });
  });

  it('says which key is missing rather than opening anything', () => {
    const sealed = sealSecrets(config, k2, at, isSecret);
    expect(openSecrets(sealed, new Map([[k1.kid, k1.key]]), at)).toEqual({
      status: 'missing-key',
      kid: 'k2',
      path: 'social.0.clientSecret',
    });
  });

  it('refuses an altered ciphertext', () => {
    const sealed = sealSecrets(config, k1, at, isSecret) as Sealed;
    const ct = Buffer.from(sealed.hook.secret.ct, 'base64');
    ct[0] = ct[0]! ^ 1;
    sealed.hook.secret.ct = ct.toString('base64');
    expect(openSecrets(sealed, keys, at)).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('hook.secret does not open with key "k1"') as string,
    });
  });

  it('refuses an envelope under another key id that names the wrong key', () => {
    const sealed = sealSecrets(config, k1, at, isSecret) as Sealed;
    sealed.social[0]!.clientSecret.kid = 'k2';
    expect(openSecrets(sealed, keys, at).status).toBe('invalid');
  });

  it('binds each envelope to its app, version and field', () => {
    const sealed = sealSecrets(config, k1, at, isSecret) as Sealed;
    expect(openSecrets(sealed, keys, { ...at, appId: 'globex-login' }).status).toBe('invalid');
    expect(openSecrets(sealed, keys, { ...at, version: 4 }).status).toBe('invalid');
    const swapped = structuredClone(sealed);
    [swapped.social[0]!.clientSecret, swapped.social[1]!.clientSecret] = [
      sealed.social[1]!.clientSecret,
      sealed.social[0]!.clientSecret,
    ];
    expect(openSecrets(swapped, keys, at)).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('social.0.clientSecret') as string,
    });
  });

  it('refuses what only looks like an envelope', () => {
    const body = { ...config, hook: { secret: { $enc: 'v2', kid: 'k1', iv: '', ct: '' } } };
    expect(openSecrets(body, keys, at)).toMatchObject({
      status: 'invalid',
      reason: 'the sealed secret at hook.secret is not a v1 envelope',
    });
  });
});

describe('parseSecretKeys', () => {
  const b64 = (n: number) => randomBytes(n).toString('base64');

  it('reads kid:base64key pairs', () => {
    const one = b64(32);
    const two = b64(32);
    const parsed = parseSecretKeys(` k1:${one} , k2:${two}`);
    expect([...parsed.keys()]).toEqual(['k1', 'k2']);
    expect(Buffer.from(parsed.get('k2')!).toString('base64')).toBe(two);
  });

  it.each([
    ['', 'lists no key'],
    [`${b64(32)}`, 'entry 1 is not of the form kid:base64key'],
    [`k 1:${b64(32)}`, 'entry 1 ("k 1"): the key id must match'],
    [`k1:${b64(32)},k1:${b64(32)}`, 'entry 2 ("k1"): key id "k1" is listed twice'],
    ['k1:not base64!', 'entry 1 ("k1"): the key is not base64'],
    [`k1:${b64(16)}`, 'entry 1 ("k1"): the key is 16 bytes, AES-256 needs 32'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseSecretKeys(text)).toThrow(message);
  });
});
