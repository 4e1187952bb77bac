import { describe, expect, it } from 'vitest';
import { parseInstanceReport } from '@/lib/instances/report-schema';

const valid = {
  instanceId: 'login-eu-1-4242-ab12cd',
  region: 'eu-west-1',
  appId: 'acme-login',
  version: 42,
  checksum: 'a'.repeat(64),
  appliedAt: 1_700_000_000_000,
  stalenessMs: 0,
  reportedAt: 1_700_000_001_000,
  intervalMs: 5_000,
};

describe('parseInstanceReport', () => {
  it('accepts what the config client writes', () => {
    expect(parseInstanceReport(JSON.stringify(valid), 'acme-login')).toEqual(valid);
  });

  it.each([
    ['not JSON', '{'],
    ['null', null],
    ['a report about another app', JSON.stringify({ ...valid, appId: 'globex-login' })],
    ['an instance id with markup', JSON.stringify({ ...valid, instanceId: '<img src=x>' })],
    ['a negative staleness', JSON.stringify({ ...valid, stalenessMs: -1 })],
    ['a fractional version', JSON.stringify({ ...valid, version: 4.2 })],
    ['a short checksum', JSON.stringify({ ...valid, checksum: 'abc' })],
    ['an extra field', JSON.stringify({ ...valid, secret: 'x' })],
    ['a zero interval', JSON.stringify({ ...valid, intervalMs: 0 })],
  ])('drops %s', (_name, raw) => {
    expect(parseInstanceReport(raw, 'acme-login')).toBeNull();
  });
});
