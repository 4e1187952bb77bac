import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import {
  declaresTooLargeBody,
  MAX_BODY_BYTES,
  MAX_BODY_KB,
  readBytesCapped,
} from '@/lib/request-limits';
import { contentSecurityPolicy } from '@/lib/security-headers';
import { actionPost, actionRefusal } from '@/lib/server-action-request';

/**
 * A fresh CSP nonce for every page request. Next finds it in the request's CSP header and puts it
 * on the scripts it renders, so pages must render per request (the root layout makes sure).
 */
export async function proxy(request: NextRequest) {
  // A server action is a POST to a page. Next refuses a body over its limit only after reading
  // that much, and then answers 500; a declared oversized body is refused here, unread. One sent
  // without its length (chunked) is measured on the proxy's copy, which stops just past the limit.
  if (declaresTooLargeBody(request.headers)) return tooLarge();
  // Next also answers 500 for an action body it cannot decode: the proxy reads its copy of the
  // body (at most MAX_BODY_BYTES, already held for it) and refuses one that would fail.
  const action = actionPost(request);
  if (action || (!request.headers.has('content-length') && request.body)) {
    const body = await readBytesCapped(request, MAX_BODY_BYTES);
    if (body === null) return tooLarge();
    const refusal = action && (await actionRefusal(action, request.headers, body));
    if (refusal) return plain(refusal.status, `${refusal.message}\n`);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce, env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return response;
}

function tooLarge() {
  return plain(413, `The request body is larger than ${MAX_BODY_KB} KB.\n`);
}

function plain(status: number, text: string) {
  return new NextResponse(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

export const config = {
  // Pages only: route handlers answer JSON, static files carry no script.
  // Prefetches too: a POST that carries a prefetch header is still a server action to Next, and
  // skipping them let such a POST past the body checks (and answer 500).
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
