const FALLBACK = '/apps';
const ORIGIN = 'https://propagate.invalid';

/**
 * Where to go after signing in: a path on this site, or `/apps`. A `next` parameter must not
 * become an open redirect, and browsers are generous readers: they drop tabs and newlines and
 * read a backslash as a slash, so `/\t/evil.example` is `//evil.example` to them. Rather than
 * list what is dangerous, only plain path characters are accepted, the value must not decode
 * (once or twice) into anything else, and it must resolve to this origin.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return FALLBACK;
  let decoded = value;
  for (let i = 0; i < 3; i++) {
    if (!/^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%[\]]*$/.test(decoded)) return FALLBACK;
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return FALLBACK;
    }
  }
  const url = new URL(value, ORIGIN);
  return url.origin === ORIGIN ? value : FALLBACK;
}
