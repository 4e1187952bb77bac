/**
 * The largest request body the server takes, anywhere: a configuration is at most 256 KB (the
 * schema says so with a message a person understands) and every other body is small. Pure, so
 * next.config.ts (server actions, the proxy's copy of a body), proxy.ts and the route handlers
 * share it.
 */
export const MAX_BODY_KB = 400;
export const MAX_BODY_BYTES = MAX_BODY_KB * 1024;

/**
 * How much of a page request's body Next copies for the proxy. Next drops the read that crosses
 * this size whole, and a read from a socket is at most 64 KB, so the copy of any body larger than
 * MAX_BODY_BYTES still holds more than MAX_BODY_BYTES: the proxy can tell a chunked body (no
 * Content-Length) is too large from its copy, and never needs the rest.
 */
export const PROXY_BODY_COPY_KB = MAX_BODY_KB + 64;

/** A declared body over the limit: refused before a byte of it is read. */
export function declaresTooLargeBody(headers: Headers): boolean {
  return Number(headers.get('content-length') ?? 0) > MAX_BODY_BYTES;
}

/** The body as text, or null once it passes `limit` bytes: a huge body is never held whole. */
export async function readBodyCapped(request: Request, limit: number): Promise<string | null> {
  const bytes = await readBytesCapped(request, limit);
  return bytes === null ? null : Buffer.from(bytes).toString('utf8');
}

/** The body's bytes, or null once they pass `limit`. */
export async function readBytesCapped(
  request: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
