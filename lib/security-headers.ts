/**
 * The response headers every page and route carries. Pure, so next.config (static headers) and
 * proxy.ts (the per-request CSP nonce) share one definition and a unit test can read it.
 */

/** Headers that do not change per request: next.config.ts sends them on every path. */
export const staticSecurityHeaders: readonly { key: string; value: string }[] = [
  // Rollback, revoke and create-token must not be clickjackable: no page may be framed at all.
  // (frame-ancestors in the CSP says the same to browsers that read it.)
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Paths carry app ids; other sites learn only that someone came from this origin.
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  // Browsers ignore it over plain http (the devstack); behind TLS it pins https.
  { key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' },
];

/**
 * A strict, nonce-based policy as Next's App Router supports it: Next reads the nonce from the
 * request's CSP header and puts it on its own scripts; 'strict-dynamic' lets those load their
 * chunks. Styles allow inline attributes (charts and React style props render them); a nonce
 * there would switch 'unsafe-inline' off. `next dev` needs eval for its error overlay.
 */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
