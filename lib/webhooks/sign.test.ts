import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { sign, signedHeaders } from '@/lib/webhooks/sign';

describe('Standard Webhooks signatures', () => {
  const key = Buffer.from('a secret of 24 bytes!!!!').toString('base64');

  it('verify with the reference library, and fail with another secret or body', () => {
    const body = JSON.stringify({ type: 'config.saved', data: { version: 3 } });
    const headers = signedHeaders({ id: 'evt_1', body, keys: [key] });
    expect(new Webhook(`whsec_${key}`).verify(body, headers)).toEqual(JSON.parse(body));
    const other = Buffer.from('another secret of 24 b!!').toString('base64');
    expect(() => new Webhook(`whsec_${other}`).verify(body, headers)).toThrow();
    expect(() => new Webhook(`whsec_${key}`).verify(`${body} `, headers)).toThrow();
  });

  it('carries one signature per secret during a rotation; either verifies', () => {
    const old = Buffer.from('the previous secret 24 b').toString('base64');
    const body = '{"type":"config.pushed"}';
    const headers = signedHeaders({ id: 'evt_2', body, keys: [key, old] });
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const k of [key, old])
      expect(new Webhook(`whsec_${k}`).verify(body, headers)).toBeTruthy();
  });

  it('signs id.timestamp.body (a known vector)', () => {
    expect(sign({ id: 'msg_1', timestamp: 1_700_000_000, body: '{}', keys: [key] })).toMatch(
      /^v1,[A-Za-z0-9+/]{43}=$/,
    );
  });
});
