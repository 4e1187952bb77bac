import { describe, expect, it } from 'vitest';
import { BURST_CHECKED, limiterKeys, MemoryLimits, rules, WINDOW_MS } from './sign-in-limits';

// The stand-in used while the primary Redis is down; the Redis script is tested against a real
// server in sign-in.int.test.ts with the same expectations.
describe('sign-in limits in memory', () => {
  const email = 'owner@example.test';
  const t0 = 1_700_000_000_000;

  it(`lets ${BURST_CHECKED} of 200 back-to-back attempts through, then doubles the wait`, () => {
    const limits = new MemoryLimits();
    const outcomes = Array.from({ length: 200 }, () => limits.reserve(email, '198.51.100.1', t0));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(BURST_CHECKED);
    const refused = outcomes.filter((o) => !o.ok);
    expect(refused[0]).toEqual({ ok: false, retryAfterMs: 1_000, firstRefusalInWindow: true });
    expect(refused.slice(1).every((o) => !o.firstRefusalInWindow)).toBe(true);
    expect(limits.reserve(email, '198.51.100.1', t0 + 1_000).ok).toBe(true);
    expect(limits.reserve(email, '198.51.100.1', t0 + 1_000)).toMatchObject({
      retryAfterMs: 2_000,
    });
  });

  it('caps one IP at one account, and forgets it after the window', () => {
    const limits = new MemoryLimits();
    let now = t0;
    let allowed = 0;
    // One attempt a minute for the whole window: never more than the cap.
    for (let i = 0; i < 15; i += 1, now += 60_000) {
      if (limits.reserve(email, '198.51.100.2', now).ok) allowed += 1;
    }
    expect(allowed).toBe(rules.pair.cap);
    expect(limits.reserve(email, '198.51.100.2', now).ok).toBe(false);
    expect(limits.reserve(email, '198.51.100.2', now + WINDOW_MS).ok).toBe(true);
  });

  it('does not keep the owner out: another IP, and a known IP after a distributed attack', () => {
    const limits = new MemoryLimits();
    limits.succeeded(email, '203.0.113.5', t0);
    for (let i = 0; i < 50; i += 1) limits.reserve(email, `198.51.100.${i}`, t0);
    expect(limits.reserve(email, '192.0.2.99', t0).ok).toBe(false);
    expect(limits.reserve(email, '203.0.113.5', t0).ok).toBe(true);
  });

  it('gives a successful attempt back', () => {
    const limits = new MemoryLimits();
    for (let i = 0; i < 4; i += 1) limits.reserve(email, '198.51.100.3', t0);
    limits.reserve(email, '198.51.100.3', t0);
    limits.succeeded(email, '198.51.100.3', t0);
    expect(limits.reserve(email, '198.51.100.3', t0).ok).toBe(true);
  });
});

// Redis Cluster hashes only the part of a key between the first `{` and the next `}`, when that
// part is not empty; the reservation script fails with CROSSSLOT unless its keys share a slot.
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('sign-in limiter keys', () => {
  it('put every key of one attempt, and of every attempt, in one Cluster slot', () => {
    const attempts = [
      limiterKeys('owner@example.test', '198.51.100.1'),
      limiterKeys('someone@example.test', '2001:db8::1'),
      limiterKeys('{odd}@example.test', null),
    ];
    const tags = new Set(attempts.flatMap((keys) => Object.values(keys).map(hashTag)));
    expect([...tags]).toEqual(['signin']);
  });
});
