import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { hashToken, looksLikeToken } from '@/lib/auth/api-token';
import { requirePermission } from '@/lib/auth/authorize';
import { tokenPrincipal, type Principal } from '@/lib/auth/principal';
import type { Permission } from '@/lib/auth/roles';
import { principalFromRequestCookie } from '@/lib/auth/session';
import { findActiveTokenByHash } from '@/lib/db/api-tokens';
import { AppError, ForbiddenError, RateLimitedError, UnauthenticatedError } from '@/lib/errors';
import { metaFromHeaders, type RequestMeta } from '@/lib/request-meta';
import { flattenIssues } from '@/lib/schemas/issues';

export interface RouteContext<P, Q> {
  principal: Principal;
  params: P;
  query: Q;
  request: Request;
  meta: RequestMeta;
}

/** Bearer token first (automation), then the session cookie (the dashboard). */
export async function principalForRequest(request: Request): Promise<Principal | null> {
  const header = request.headers.get('authorization');
  if (header) {
    const token = header.replace(/^Bearer\s+/i, '');
    if (!looksLikeToken(token)) throw new UnauthenticatedError('The API token is malformed.');
    const found = await findActiveTokenByHash(hashToken(token));
    if (!found) throw new UnauthenticatedError('The API token is unknown or revoked.');
    return tokenPrincipal(found);
  }
  return principalFromRequestCookie(request);
}

/** State-changing requests that ride on a cookie must come from our own origin (CSRF). */
function assertSameOrigin(request: Request): void {
  if (request.headers.has('authorization')) return;
  const origin = URL.parse(request.headers.get('origin') ?? '');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  // `Origin: null` (sandboxed frames, privacy redirects) does not parse: refused, not a 500.
  if (!origin || !host || origin.host !== host) {
    throw new ForbiddenError('Cross-origin requests must use an API token.');
  }
}

export function errorResponse(error: unknown, route: string): Response {
  if (error instanceof AppError) {
    const headers =
      error instanceof RateLimitedError
        ? { 'retry-after': String(error.retryAfterSeconds) }
        : undefined;
    return NextResponse.json(
      { error: { message: error.message, status: error.status } },
      { status: error.status, headers },
    );
  }
  console.error(`[route ${route}] failed`, error);
  return NextResponse.json({ error: { message: 'Internal error.', status: 500 } }, { status: 500 });
}

/**
 * The one wrapper every route handler goes through: principal (token or session), permission,
 * zod for params and query, then the handler. Handlers return data (sent as JSON) or a Response.
 */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType>(
  opts: { name: string; permission: Permission; params: P; query: Q; mutates?: boolean },
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>>) => Promise<unknown>,
) {
  return async function route(
    request: Request,
    context: { params: Promise<unknown> },
  ): Promise<Response> {
    try {
      if (opts.mutates) assertSameOrigin(request);
      const principal = requirePermission(await principalForRequest(request), opts.permission);
      // Next passes no params object at all to routes without dynamic segments.
      const params = opts.params.safeParse((await context.params) ?? {});
      const url = new URL(request.url);
      const query = opts.query.safeParse(Object.fromEntries(url.searchParams));
      if (!params.success || !query.success) {
        const issues = [...(params.error?.issues ?? []), ...(query.error?.issues ?? [])];
        return NextResponse.json(
          {
            error: { message: 'Invalid request.', status: 400, fieldErrors: flattenIssues(issues) },
          },
          { status: 400 },
        );
      }
      const result = await handler({
        principal,
        params: params.data,
        query: query.data,
        request,
        meta: metaFromHeaders(request.headers),
      });
      return result instanceof Response
        ? result
        : NextResponse.json(result, { headers: { 'cache-control': 'no-store' } });
    } catch (error) {
      return errorResponse(error, opts.name);
    }
  };
}

export const noParams = z.object({});
export const noQuery = z.object({}).loose();
