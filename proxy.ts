import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import {
  declaresTooLargeBody,
  MAX_BODY_BYTES,
  MAX_BODY_KB,
  readBodyCapped,
} from '@/lib/request-limits';
import { contentSecurityPolicy } from '@/lib/security-headers';

/**
 * A fresh CSP nonce for every page request. Next finds it in the request's CSP header and puts it
 * on the scripts it renders, so pages must render per request (the root layout makes sure).
 */
export async function proxy(request: NextRequest) {
  // A server action is a POST to a page. Next refuses a body over its limit only after reading
  // that much, and then answers 500; a declared oversized body is refused here, unread. One sent
  // without its length (chunked) is measured on the proxy's copy, which stops just past the limit.
  if (
    declaresTooLargeBody(request.headers) ||
    (!request.headers.has('content-length') &&
      request.body &&
      (await readBodyCapped(request, MAX_BODY_BYTES)) === null)
  ) {
    return new NextResponse(`The request body is larger than ${MAX_BODY_KB} KB.\n`, {
      status: 413,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce, env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  // Pages only: route handlers answer JSON, static files carry no script.
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
