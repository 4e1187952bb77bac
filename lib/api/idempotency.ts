import 'server-only';
import { createHash } from 'node:crypto';
import { problem } from '@/lib/api/problem';
import type { Principal } from '@/lib/auth/principal';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from '@/lib/db/idempotency-keys';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Headers worth replaying: the rest are per-response. */
const KEPT_HEADERS = ['content-type', 'etag', 'location'];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `Idempotency-Key` on writes (the IETF httpapi draft's semantics): the first request with a key
 * runs; a repeat of the same request gets the first answer replayed (`Idempotent-Replayed: true`)
 * and writes nothing; the same key with another request is 422; a repeat while the first is
 * still running is 409. A request without the header just runs. Keys are per caller.
 */
export async function withIdempotency(
  request: Request,
  bodyText: string,
  principal: Principal,
  operation: string,
  run: () => Promise<Response>,
): Promise<Response> {
  const key = request.headers.get('idempotency-key');
  if (key === null) return run();
  if (!KEY_PATTERN.test(key)) {
    return problem('bad_request', 400, 'Idempotency-Key is 1–255 printable characters.');
  }
  const id = sha256(`${principal.kind}:${principal.id}\n${operation}\n${key}`);
  const url = new URL(request.url);
  const fingerprint = sha256(`${request.method} ${url.pathname}${url.search}\n${bodyText}`);

  const claim = await claimIdempotencyKey(id, fingerprint);
  if (!claim.claimed) {
    const { record } = claim;
    if (record.fingerprint !== fingerprint) {
      return problem(
        'idempotency_mismatch',
        422,
        'This Idempotency-Key was already used for a different request; use a new key.',
      );
    }
    if (record.state === 'pending' || record.status === null) {
      return problem(
        'idempotency_in_progress',
        409,
        'A request with this Idempotency-Key is still being processed; retry shortly.',
        {},
        { 'retry-after': '1' },
      );
    }
    return new Response(record.body, {
      status: record.status,
      headers: { ...record.headers, 'idempotent-replayed': 'true', 'cache-control': 'no-store' },
    });
  }

  let response: Response;
  try {
    response = await run();
  } catch (error) {
    await releaseIdempotencyKey(id).catch(() => {});
    throw error;
  }
  // Server errors are not remembered: the client should be able to retry them.
  if (response.status >= 500) {
    await releaseIdempotencyKey(id).catch(() => {});
    return response;
  }
  const body = await response.text();
  const headers = Object.fromEntries(
    KEPT_HEADERS.flatMap((h) => {
      const value = response.headers.get(h);
      return value === null ? [] : [[h, value]];
    }),
  );
  await completeIdempotencyKey(id, { status: response.status, headers, body });
  return new Response(body, { status: response.status, headers: response.headers });
}
