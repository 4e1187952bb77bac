import 'server-only';
import type { Principal } from '@/lib/auth/principal';
import { RateLimitedError } from '@/lib/errors';

/**
 * Long-poll waits and event streams hold a connection open; each principal (a person or an API
 * token) may hold this many at once. A dashboard tab holds two streams, a deploy pipeline one
 * wait per app it deploys.
 */
export const MAX_OPEN_WATCHES = 16;

const globalForWatches = globalThis as unknown as { propagateOpenWatches?: Map<string, number> };

/** Counts one open wait or stream; the returned function releases it (idempotent). */
export function acquireWatch(principal: Principal): () => void {
  globalForWatches.propagateOpenWatches ??= new Map();
  const open = globalForWatches.propagateOpenWatches;
  const key = `${principal.kind}:${principal.id}`;
  const count = open.get(key) ?? 0;
  if (count >= MAX_OPEN_WATCHES) {
    throw new RateLimitedError(
      `At most ${MAX_OPEN_WATCHES} status waits and live streams may be open at once; close one or try again shortly.`,
      5,
    );
  }
  open.set(key, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (open.get(key) ?? 1) - 1;
    if (left <= 0) open.delete(key);
    else open.set(key, left);
  };
}

export function openWatches(principal: Principal): number {
  return globalForWatches.propagateOpenWatches?.get(`${principal.kind}:${principal.id}`) ?? 0;
}
