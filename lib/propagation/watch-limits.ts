import 'server-only';
import type { Principal } from '@/lib/auth/principal';
import { RateLimitedError } from '@/lib/errors';
import { metrics } from '@/lib/metrics';

/**
 * Long-poll waits and event streams hold a connection open; each principal (a person or an API
 * token) may hold this many at once. A dashboard tab holds two streams, a deploy pipeline one
 * wait per app it deploys.
 */
export const MAX_OPEN_WATCHES = 16;

const globalForWatches = globalThis as unknown as { propagateOpenWatches?: Map<string, number> };

/** A long-poll wait (`?version=N`) or a Server-Sent Events stream. */
export type WatchKind = 'wait' | 'stream';

/** Counts one open wait or stream; the returned function releases it (idempotent). */
export function acquireWatch(principal: Principal, kind: WatchKind): () => void {
  globalForWatches.propagateOpenWatches ??= new Map();
  const open = globalForWatches.propagateOpenWatches;
  const key = `${principal.kind}:${principal.id}`;
  const count = open.get(key) ?? 0;
  const m = metrics();
  if (count >= MAX_OPEN_WATCHES) {
    m.watches.inc({ kind, outcome: 'refused' });
    throw new RateLimitedError(
      `At most ${MAX_OPEN_WATCHES} status waits and live streams may be open at once; close one or try again shortly.`,
      5,
    );
  }
  open.set(key, count + 1);
  m.watches.inc({ kind, outcome: 'opened' });
  m.openWatches.inc({ kind });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    m.openWatches.dec({ kind });
    const left = (open.get(key) ?? 1) - 1;
    if (left <= 0) open.delete(key);
    else open.set(key, left);
  };
}

export function openWatches(principal: Principal): number {
  return globalForWatches.propagateOpenWatches?.get(`${principal.kind}:${principal.id}`) ?? 0;
}
