import { describe, expect, it } from 'vitest';
import { duration, timeAgo } from './format-time';

describe('timeAgo', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);
  it.each([
    [now - 2_000, 'just now'],
    [now - 45_000, '45 seconds ago'],
    [now - 3 * 60_000, '3 minutes ago'],
    [now - 2 * 3600_000, '2 hours ago'],
    [now - 24 * 3600_000, 'yesterday'],
    [now + 5 * 60_000, 'in 5 minutes'],
  ])('%d → %s', (at, expected) => {
    expect(timeAgo(at, now)).toBe(expected);
  });
});

describe('duration', () => {
  it.each([
    [0.42, '0.4 ms'],
    [95, '95 ms'],
    [1_240, '1.2 s'],
    [42_000, '42 s'],
    [185_000, '3 min 5 s'],
    [2 * 3600_000 + 60_000, '2 h 1 min'],
  ])('%d ms → %s', (ms, expected) => {
    expect(duration(ms)).toBe(expected);
  });
});
