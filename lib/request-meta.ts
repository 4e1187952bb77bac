import 'server-only';
import { headers } from 'next/headers';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Who is on the other end, for the audit log and the sign-in limiter.
 *
 * The rightmost X-Forwarded-For entry is the one the nearest proxy (the load balancer) appended;
 * entries to its left come from the client and can be anything, so trusting the leftmost would
 * let a guesser pick a fresh "IP" per attempt and walk past the per-IP limit. `next start` only
 * fills the header when the client sent none, so production must sit behind a proxy that appends.
 */
export function metaFromHeaders(h: Headers): RequestMeta {
  const forwarded = h.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return {
    ip: forwarded || h.get('x-real-ip') || null,
    userAgent: h.get('user-agent')?.slice(0, 300) ?? null,
  };
}

export async function requestMeta(): Promise<RequestMeta> {
  return metaFromHeaders(await headers());
}
