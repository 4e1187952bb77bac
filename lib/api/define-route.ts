import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { withIdempotency } from '@/lib/api/idempotency';
import type { ApiOperation } from '@/lib/api/operations';
import { fieldErrorList, problem, type ProblemType } from '@/lib/api/problem';
import { hashToken, looksLikeToken } from '@/lib/auth/api-token';
import { requirePermission } from '@/lib/auth/authorize';
import { tokenPrincipal, type Principal } from '@/lib/auth/principal';
import type { Permission } from '@/lib/auth/roles';
import { principalFromRequestCookie } from '@/lib/session/session';
import { findActiveTokenByHash, noteTokenUse } from '@/lib/db/api-tokens';
import { cachedPrincipal } from '@/lib/session/auth-cache';
import { AppError, ForbiddenError, RateLimitedError, UnauthenticatedError } from '@/lib/errors';
import { errorFields, log, withRequestId } from '@/lib/log';
import { metaFromHeaders, type RequestMeta } from '@/lib/request-meta';
import {
  declaresTooLargeBody,
  MAX_BODY_BYTES,
  MAX_BODY_KB,
  readBodyCapped,
} from '@/lib/request-limits';
import { flattenIssues } from '@/lib/schemas/issues';

export interface RouteContext<P, Q, B = undefined> {
  principal: Principal;
  params: P;
  query: Q;
  /** The JSON body, validated with the route's `body` schema (undefined without one). */
  body: B;
  request: Request;
  meta: RequestMeta;
}

export interface RouteOptions<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  name: string;
  permission: Permission;
  params: P;
  query: Q;
  /** A JSON request body, parsed with this schema. */
  body?: B;
  /** Answers are encoded with this schema: nothing undocumented leaves, and dates become text. */
  response?: z.ZodType;
  /** A state-changing route: cookie callers must come from our own origin. */
  mutates?: boolean;
  /** Honours `Idempotency-Key` (see lib/api/idempotency.ts). */
  idempotent?: boolean;
}

/**
 * Bearer token first (automation), then the session cookie (the dashboard). Reads may use what
 * this process verified a moment ago (lib/session/auth-cache.ts: revocations reach it at once,
 * and nothing is older than a few seconds); writes always ask MongoDB.
 */
export async function principalForRequest(request: Request): Promise<Principal | null> {
  const cached = request.method === 'GET' || request.method === 'HEAD';
  const header = request.headers.get('authorization');
  if (header) {
    const token = header.replace(/^Bearer\s+/i, '');
    if (!looksLikeToken(token)) throw new UnauthenticatedError('The API token is malformed.');
    const found = cached
      ? await cachedTokenPrincipal(hashToken(token))
      : await findActiveTokenByHash(hashToken(token)).then((t) => t && tokenPrincipal(t));
    if (!found) throw new UnauthenticatedError('The API token is unknown or revoked.');
    return found;
  }
  return principalFromRequestCookie(request, { cached });
}

function cachedTokenPrincipal(hash: string): Promise<Principal | null> {
  return cachedPrincipal(
    `token:${hash}`,
    async () => {
      const token = await findActiveTokenByHash(hash);
      return token
        ? {
            principal: tokenPrincipal(token),
            subjects: [{ kind: 'token', id: token._id }],
            lastUsedAt: Date.now(),
          }
        : null;
    },
    ({ principal, lastUsedAt }) => noteTokenUse(principal.id, lastUsedAt),
  );
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

const problemOf: Record<number, ProblemType> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
};

/** Every error as RFC 9457 problem details; anything unexpected is logged and hidden. */
export function errorResponse(error: unknown, route: string): Response {
  if (error instanceof AppError) {
    const rateLimited = error instanceof RateLimitedError;
    return problem(
      problemOf[error.status] ?? 'internal',
      error.status,
      error.message,
      rateLimited ? { retryAfterSeconds: error.retryAfterSeconds } : {},
      rateLimited ? { 'retry-after': String(error.retryAfterSeconds) } : {},
    );
  }
  log.error({ route, ...errorFields(error) }, 'route failed');
  return problem('internal', 500, 'Internal error. Nothing was changed; please try again.');
}

const tooLarge = () =>
  problem(
    'bad_request',
    413,
    `The request body is larger than ${MAX_BODY_KB} KB; nothing was changed.`,
  );

async function readJsonBody(request: Request): Promise<{ text: string; json: unknown } | Response> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    return problem('bad_request', 415, 'Send the body as JSON (Content-Type: application/json).');
  }
  const text = await readBodyCapped(request, MAX_BODY_BYTES);
  if (text === null) return tooLarge();
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch {
    return problem('bad_request', 400, 'The request body is not valid JSON.');
  }
}

/**
 * The one wrapper every route handler goes through: principal (token or session), permission,
 * zod for params, query and body, then the handler. Handlers return data (sent as JSON, encoded
 * with `response` when given) or a Response. Errors are problem details.
 */
export function defineRoute<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType = z.ZodUndefined,
>(
  opts: RouteOptions<P, Q, B>,
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>,
) {
  return async function route(
    request: Request,
    context: { params: Promise<unknown> },
  ): Promise<Response> {
    const meta = metaFromHeaders(request.headers);
    const requestId = meta.requestId;
    return withRequestId(requestId, async () => {
      const started = performance.now();
      const response = await answerRoute(request, context, meta);
      log.info(
        {
          route: opts.name,
          method: request.method,
          status: response.status,
          ms: Math.round(performance.now() - started),
        },
        'route',
      );
      if (requestId) response.headers.set('x-request-id', requestId);
      return response;
    });
  };

  async function answerRoute(
    request: Request,
    context: { params: Promise<unknown> },
    meta: RequestMeta,
  ): Promise<Response> {
    // Refused before anything else, whatever the route: no work is spent on an oversized request.
    if (declaresTooLargeBody(request.headers)) return tooLarge();
    try {
      if (opts.mutates) assertSameOrigin(request);
      const principal = requirePermission(await principalForRequest(request), opts.permission);
      // Next passes no params object at all to routes without dynamic segments.
      const params = opts.params.safeParse((await context.params) ?? {});
      const url = new URL(request.url);
      const query = opts.query.safeParse(Object.fromEntries(url.searchParams));
      if (!params.success || !query.success) {
        const issues = [...(params.error?.issues ?? []), ...(query.error?.issues ?? [])];
        return problem('bad_request', 400, 'Invalid request.', {
          errors: fieldErrorList(flattenIssues(issues)),
        });
      }
      let bodyText = '';
      let body: unknown = undefined;
      if (opts.body) {
        const read = await readJsonBody(request);
        if (read instanceof Response) return read;
        bodyText = read.text;
        const parsed = opts.body.safeParse(read.json);
        if (!parsed.success) {
          return problem('invalid', 422, 'Some fields need your attention. Nothing was changed.', {
            errors: fieldErrorList(flattenIssues(parsed.error.issues)),
          });
        }
        body = parsed.data;
      }
      const answer = async (): Promise<Response> => {
        const result = await handler({
          principal,
          params: params.data,
          query: query.data,
          body: body as z.output<B>,
          request,
          meta,
        });
        if (result instanceof Response) return result;
        const data = opts.response ? z.encode(opts.response, result) : result;
        return NextResponse.json(data, { headers: { 'cache-control': 'no-store' } });
      };
      return opts.idempotent
        ? await withIdempotency(request, bodyText, principal, opts.name, answer)
        : await answer();
    } catch (error) {
      return errorResponse(error, opts.name);
    }
  }
}

export const noParams = z.object({});
export const noQuery = z.object({}).loose();

/** Data encoded with its schema, as JSON: for handlers that also set a status or headers. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  data: z.output<S>,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return NextResponse.json(z.encode(schema, data), {
    status: init.status ?? 200,
    headers: { 'cache-control': 'no-store', ...init.headers },
  });
}

/** A route of the public API, built from its operation in lib/api/operations.ts. */
export function defineApiRoute<O extends ApiOperation>(
  operation: O,
  handler: (
    ctx: RouteContext<
      z.output<O['params']>,
      z.output<O['query']>,
      O['body'] extends z.ZodType ? z.output<O['body']> : undefined
    >,
  ) => Promise<z.output<O['success']['schema']> | Response>,
) {
  return defineRoute(
    {
      name: operation.name,
      permission: operation.permission,
      params: operation.params,
      query: operation.query,
      body: operation.body,
      response: operation.success.schema,
      mutates: operation.mutates,
      idempotent: operation.idempotent,
    },
    handler as (ctx: RouteContext<unknown, unknown, unknown>) => Promise<unknown>,
  );
}
