import { describe, expect, it } from 'vitest';
import { regionErrorText } from './region-error';

/**
 * What a viewer reads when a region does not answer: a category, never the driver's message with
 * the cache's host and port (those stay in the server log, for support).
 */
describe('region error text', () => {
  it.each([
    ['connect ECONNREFUSED 10.20.30.40:6379', 'connection refused'],
    ['getaddrinfo ENOTFOUND cache-eu.internal.example', 'address not found'],
    ['connect ETIMEDOUT 10.20.30.40:6379', 'timed out'],
    ['Command timed out', 'timed out'],
    ['eu-west-1 did not answer within 800 ms', 'timed out'],
    ['Connection is closed.', 'not connected'],
    ['eu-west-1 is not connected (reconnecting)', 'not connected'],
    ['WRONGPASS invalid username-password pair or user is disabled.', 'authentication failed'],
    ['NOAUTH Authentication required.', 'authentication failed'],
    ['read ECONNRESET 10.20.30.40:6379', 'connection reset'],
    ['something odd at redis://admin:s3cret@10.20.30.40:6379', 'unexpected error'],
  ])('%s → %s', (message, category) => {
    const text = regionErrorText(new Error(message));
    expect(text).toBe(category);
    expect(text).not.toMatch(/\d+\.\d+\.\d+\.\d+|:\d{2,5}|internal|s3cret/);
  });
});
