import 'server-only';
import { isIP } from 'node:net';
import { headers } from 'next/headers';
import { env } from '@/lib/env';
import { requestIdFrom } from '@/lib/log';

export interface RequestMeta {
  /** A validated, normalised IP address, or null when none can be trusted. */
  ip: string | null;
  userAgent: string | null;
  /** Follows the request through the logs, and into the worker with the version it commits. */
  requestId?: string;
}

/**
 * The client's address, as far as it can be trusted, for the audit log and the sign-in limits.
 *
 * Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
 * with `hops` proxies in front the client is the `hops`-th entry from the right; everything to
 * its left was written by the client and can be anything. With no proxy (`hops` 0), `next start`
 * fills the header with the socket's address only when the client sent none, so a single entry
 * is the socket's (or a forgery we cannot tell apart: production belongs behind a proxy with
 * TRUSTED_PROXY_HOPS set) and a chain is certainly the client's own invention. X-Real-IP is
 * never read: any client can send it. Whatever is taken must parse as an IP address.
 */
export function clientIp(h: Headers, hops: number): string | null {
  const entries = (h.get('x-forwarded-for') ?? '').split(',').map((e) => e.trim());
  const candidate =
    hops === 0 ? (entries.length === 1 ? entries[0] : undefined) : entries.at(-hops);
  if (!candidate || entries.length < hops || candidate.length > 45 || !isIP(candidate)) {
    return null;
  }
  const ip = candidate.toLowerCase();
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function metaFromHeaders(h: Headers, hops = env.TRUSTED_PROXY_HOPS): RequestMeta {
  return {
    ip: clientIp(h, hops),
    userAgent: h.get('user-agent')?.slice(0, 300) ?? null,
    requestId: requestIdFrom(h.get('x-request-id')),
  };
}

export async function requestMeta(): Promise<RequestMeta> {
  return metaFromHeaders(await headers());
}
