import type { Problem } from '@/lib/schemas/api';
import type { FieldErrors } from '@/lib/schemas/issues';

/**
 * RFC 9457 problem details: every error the API answers. `type` points at the problem's entry on
 * the dashboard's API reference page, so a person who meets one can read what it means.
 */
export const problemTypes = {
  unauthenticated: 'Missing, malformed or revoked credentials',
  forbidden: 'Not allowed for this role or token',
  not_found: 'No such record for this caller',
  bad_request: 'The request could not be read',
  invalid: 'The input did not pass validation',
  conflict: 'The configuration changed since the version named in If-Match',
  precondition_required: 'If-Match is required on writes',
  idempotency_mismatch: 'The Idempotency-Key was used for another request',
  idempotency_in_progress: 'A request with this Idempotency-Key is still running',
  rate_limited: 'Too many requests',
  internal: 'Something failed on the server',
} as const;
export type ProblemType = keyof typeof problemTypes;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemTypeUri(type: ProblemType): string {
  return `/api-reference#problem-${type.replaceAll('_', '-')}`;
}

export function problem(
  type: ProblemType,
  status: number,
  detail: string,
  extra: Omit<Partial<Problem>, 'type' | 'title' | 'status' | 'detail'> = {},
  headers: Record<string, string> = {},
): Response {
  const body: Problem = {
    type: problemTypeUri(type),
    title: problemTypes[type],
    status,
    detail,
    ...extra,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

/** Dotted config paths → problem `errors`; `prefix` is where the config sits in the body. */
export function fieldErrorList(fieldErrors: FieldErrors, prefix = '') {
  return Object.entries(fieldErrors).flatMap(([path, messages]) =>
    messages.map((message) => ({
      path,
      pointer:
        path === '_form'
          ? prefix || ''
          : `${prefix}/${path
              .split('.')
              .map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1'))
              .join('/')}`,
      message,
    })),
  );
}
