import 'server-only';
import type { z } from 'zod';
import type { Principal } from '@/lib/auth/principal';
import { requirePermission } from '@/lib/auth/authorize';
import type { Permission } from '@/lib/auth/roles';
import { AppError } from '@/lib/errors';
import type { RequestMeta } from '@/lib/request-meta';
import { flattenIssues, type FieldErrors } from '@/lib/schemas/issues';

export type { FieldErrors };

export type ErrorCode = 'unauthenticated' | 'forbidden' | 'not_found' | 'rate_limited' | 'internal';

/** What every server action returns; forms read it with useActionState. */
export type ActionResult<T = null, C = never> =
  | { status: 'idle' }
  | { status: 'ok'; data: T; message: string }
  | { status: 'invalid'; fieldErrors: FieldErrors; message: string }
  | { status: 'conflict'; conflict: C; message: string }
  | { status: 'error'; code: ErrorCode; message: string };

export const idle = { status: 'idle' } as const;

export interface ActionContext {
  principal: Principal;
  meta: RequestMeta;
}

const codes: Record<number, ErrorCode> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
};

/** Turns a thrown error into a result; anything unexpected is logged and hidden from the caller. */
export function errorResult(
  error: unknown,
  action: string,
): { status: 'error'; code: ErrorCode; message: string } {
  if (error instanceof AppError) {
    return { status: 'error', code: codes[error.status] ?? 'internal', message: error.message };
  }
  console.error(`[action ${action}] failed`, error);
  return {
    status: 'error',
    code: 'internal',
    message: 'Something went wrong on our side. Nothing was changed; please try again.',
  };
}

/**
 * The one wrapper every server action goes through: session, then permission, then zod, then
 * the handler. `run` takes the principal so the same checks can be exercised by tests without a
 * browser; the `'use server'` export resolves it from the session cookie.
 */
export function defineAction<S extends z.ZodType, T, C = never>(
  opts: { name: string; permission: Permission; schema: S },
  handler: (input: z.output<S>, ctx: ActionContext) => Promise<ActionResult<T, C>>,
) {
  return async function run(
    principal: Principal | null,
    raw: unknown,
    meta: RequestMeta = { ip: null, userAgent: null },
  ): Promise<ActionResult<T, C>> {
    try {
      const p = requirePermission(principal, opts.permission);
      const parsed = opts.schema.safeParse(raw);
      if (!parsed.success) {
        return {
          status: 'invalid',
          fieldErrors: flattenIssues(parsed.error.issues),
          message: 'Some fields need your attention.',
        };
      }
      return await handler(parsed.data, { principal: p, meta });
    } catch (error) {
      return errorResult(error, opts.name);
    }
  };
}

/** Server actions receive FormData; ours carry structured input as JSON in one field. */
export function jsonField(formData: FormData, name = 'payload'): unknown {
  const value = formData.get(name);
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}
