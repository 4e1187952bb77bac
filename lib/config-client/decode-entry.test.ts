import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, checksum } from '../contract/canonical-json';
import { sealSecrets } from '../contract/secret-envelope';
import { decodeEntry, deepFreeze } from './decode-entry';

const config = {
  branding: { displayName: 'Acme', primaryColor: '#2563EB' },
  signIn: { password: { enabled: true } },
};
const good = {
  version: '7',
  checksum: checksum(config),
  body: canonicalJson(config),
  committedAt: '1700000000000',
  pushedAt: '1700000000005',
};
const asIs = (value: unknown) => value;

describe('decodeEntry', () => {
  it('accepts an entry whose body hashes to its checksum', () => {
    expect(decodeEntry(good, asIs)).toEqual({
      status: 'ok',
      entry: { version: 7, checksum: good.checksum, config, committedAt: 1700000000000 },
    });
  });

  it('verifies the data, not the text: other key order and whitespace still match', () => {
    const body = JSON.stringify(
      {
        signIn: { password: { enabled: true } },
        branding: { primaryColor: '#2563EB', displayName: 'Acme' },
      },
      null,
      2,
    );
    expect(decodeEntry({ ...good, body }, asIs).status).toBe('ok');
  });

  it('reads a tombstone as "archived", never as a config, and needs a valid version for it', () => {
    const tombstone = {
      version: '8',
      checksum: good.checksum,
      archived: '1',
      committedAt: '1700000000100',
      pushedAt: '1700000000101',
    };
    expect(decodeEntry(tombstone, asIs)).toEqual({
      status: 'archived',
      version: 8,
      checksum: good.checksum,
      committedAt: 1700000000100,
    });
    expect(decodeEntry({ ...tombstone, version: 'x' }, asIs).status).toBe('invalid');
  });

  it('treats an empty hash as missing', () => {
    expect(decodeEntry({}, asIs)).toEqual({ status: 'missing' });
  });

  it.each([
    [
      'a changed value',
      {
        ...good,
        body: canonicalJson({ ...config, branding: { ...config.branding, displayName: 'Evil' } }),
      },
    ],
    ['a truncated body', { ...good, body: good.body.replace('Acme', 'Acm') }],
    ['a wrong checksum', { ...good, checksum: checksum({ other: true }) }],
  ])('rejects %s as a checksum mismatch', (_name, fields) => {
    const result = decodeEntry(fields, asIs);
    expect(result.status).toBe('checksum-mismatch');
    if (result.status === 'checksum-mismatch') expect(result.version).toBe(7);
  });

  it.each([
    ['a version that is not an integer', { ...good, version: '7.5' }, null],
    ['a missing version', { ...good, version: undefined as unknown as string }, null],
    ['version 0', { ...good, version: '0' }, null],
    ['a body that is not JSON', { ...good, body: '{nope' }, 7],
    ['a missing checksum', { ...good, checksum: undefined as unknown as string }, 7],
  ])('refuses %s as invalid', (_name, fields, version) => {
    const clean = Object.fromEntries(
      Object.entries(fields).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    const result = decodeEntry(clean, asIs);
    expect(result).toMatchObject({ status: 'invalid', version });
  });

  it('lets the service refuse a config it cannot use', () => {
    const result = decodeEntry(good, () => {
      throw new Error('branding.logoUrl is required');
    });
    expect(result).toMatchObject({ status: 'invalid', version: 7 });
    if (result.status === 'invalid')
      expect(result.reason).toContain('branding.logoUrl is required');
  });

  it('serves what validate returns', () => {
    const result = decodeEntry(good, (c) => ({ name: (c as typeof config).branding.displayName }));
    expect(result.status === 'ok' && result.entry.config).toEqual({ name: 'Acme' });
  });
});

describe('decodeEntry with sealed secrets', () => {
  const withSecret = { ...config, webhook: { url: 'https://h.example.test', secret: 'whsec_x' } };
  const key = { kid: 'k1', key: randomBytes(32) };
  const isSecret = (path: string) => path === 'webhook.secret';
  const sealed = {
    ...good,
    checksum: checksum(withSecret),
    body: canonicalJson(sealSecrets(withSecret, key, { appId: 'acme', version: 7 }, isSecret)),
  };
  const opener = { appId: 'acme', keys: new Map([[key.kid, key.key]]) };

  it('opens the secrets and verifies the checksum over the plain config', () => {
    expect(sealed.body).not.toContain('whsec_x');
    expect(decodeEntry(sealed, asIs, opener)).toMatchObject({
      status: 'ok',
      entry: { version: 7, config: withSecret },
    });
  });

  it('names the key it lacks', () => {
    expect(decodeEntry(sealed, asIs)).toEqual({
      status: 'missing-key',
      version: 7,
      checksum: sealed.checksum,
      kid: 'k1',
      path: 'webhook.secret',
    });
  });

  it('refuses an entry sealed for another app', () => {
    expect(decodeEntry(sealed, asIs, { ...opener, appId: 'globex' })).toMatchObject({
      status: 'invalid',
      version: 7,
      reason: expect.stringContaining('does not open with key "k1"') as string,
    });
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays so no caller can change the shared config', () => {
    const value = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
  });
});
