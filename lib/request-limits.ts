/**
 * The largest request body the server takes, anywhere: a configuration is at most 256 KB (the
 * schema says so with a message a person understands) and every other body is small. Pure, so
 * next.config.ts (server actions, the proxy's copy of a body), proxy.ts and the route handlers
 * share it.
 */
export const MAX_BODY_KB = 400;
export const MAX_BODY_BYTES = MAX_BODY_KB * 1024;

/** A declared body over the limit: refused before a byte of it is read. */
export function declaresTooLargeBody(headers: Headers): boolean {
  return Number(headers.get('content-length') ?? 0) > MAX_BODY_BYTES;
}
