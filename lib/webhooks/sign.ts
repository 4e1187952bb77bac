import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks signature: `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body` with
 * the secret's raw key (the base64 after `whsec_`). One signature per secret, space-separated,
 * so a receiver that knows either the new or the previous secret accepts it during a rotation.
 */
export function sign({
  id,
  timestamp,
  body,
  keys,
}: {
  id: string;
  /** Seconds since the epoch. */
  timestamp: number;
  body: string;
  /** Raw keys, base64 (without `whsec_`). */
  keys: readonly string[];
}): string {
  return keys
    .map(
      (key) =>
        `v1,${createHmac('sha256', Buffer.from(key, 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
    )
    .join(' ');
}

/** The three headers of one attempt (the timestamp is the attempt's, as the scheme asks). */
export function signedHeaders(input: {
  id: string;
  body: string;
  keys: readonly string[];
  now?: number;
}): Record<string, string> {
  const timestamp = Math.floor((input.now ?? Date.now()) / 1000);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign({ ...input, timestamp }),
  };
}
