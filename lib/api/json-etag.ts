import 'server-only';
import { createHash } from 'node:crypto';
import { NextResponse } from 'next/server';
import { matchesIfNoneMatch } from '@/lib/api/etag';

/**
 * JSON with an ETag, for status answers that are polled. The tag covers everything but
 * `checkedAt` (the time of the answer, which moves on every request), so a poll of something
 * unchanged gets 304 and no body; the browser's cache then hands the page the body it already
 * had. `no-cache` lets the browser keep it but makes it ask every time; `private` keeps shared
 * caches out.
 */
export function jsonWithEtag(request: Request, body: object): Response {
  const { checkedAt: _checkedAt, ...stable } = body as { checkedAt?: unknown };
  const etag = `"${createHash('sha1').update(JSON.stringify(stable)).digest('base64url')}"`;
  const headers = { etag, 'cache-control': 'private, no-cache' };
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return NextResponse.json(body, { headers });
}
