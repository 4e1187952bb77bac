import 'server-only';
import type { ActionResult, ErrorCode } from '@/lib/results';
import type { ConfigConflict } from '@/lib/versions/conflict';
import { parseIfMatch, versionEtag } from '@/lib/api/etag';
import { fieldErrorList, problem, type ProblemType } from '@/lib/api/problem';

const statusOf: Record<ErrorCode, [number, ProblemType]> = {
  unauthenticated: [401, 'unauthenticated'],
  forbidden: [403, 'forbidden'],
  not_found: [404, 'not_found'],
  rate_limited: [429, 'rate_limited'],
  internal: [500, 'internal'],
};

/**
 * The answer to a write that went through a server action (save, rollback), for every outcome
 * but success: invalid → 422 with each field's path, conflict → 412 with what changed since the
 * caller's version, errors → their status. `configPointer` is where the config sits in the body,
 * so a config path becomes a JSON Pointer into the request.
 */
export function writeProblem(
  result: Exclude<ActionResult<unknown, ConfigConflict>, { status: 'ok' | 'idle' }>,
  bodyFields: readonly string[],
  configPointer: string | null,
): Response {
  if (result.status === 'invalid') {
    const errors = Object.entries(result.fieldErrors).flatMap(([path, messages]) => {
      const inBody = bodyFields.includes(path) || configPointer === null;
      return fieldErrorList({ [path]: messages }, inBody ? '' : configPointer);
    });
    return problem('invalid', 422, result.message, { errors });
  }
  if (result.status === 'conflict') {
    const { head, baseVersion, theirChanges, yourChanges } = result.conflict;
    return problem(
      'conflict',
      412,
      result.message,
      {
        current: {
          version: head.version,
          authorName: head.authorName,
          createdAt: head.createdAt.toISOString(),
          message: head.message,
        },
        baseVersion,
        theirChanges,
        yourChanges,
      },
      { etag: versionEtag(head.version) },
    );
  }
  const [status, type] = statusOf[result.code];
  return problem(type, status, result.message);
}

/** The version a write starts from, from `If-Match`; 428 without one, 400 for a malformed one. */
export function baseVersionOrProblem(request: Request): number | Response {
  const ifMatch = parseIfMatch(request.headers.get('if-match'));
  if (ifMatch.kind === 'version') return ifMatch.version;
  if (ifMatch.kind === 'invalid') return problem('bad_request', 400, ifMatch.reason);
  return problem(
    'precondition_required',
    428,
    'Send If-Match with the version you started from, like If-Match: "v7" (the ETag of GET /api/apps/{appId}/config).',
  );
}
