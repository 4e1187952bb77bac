import { AppError } from '@/lib/errors';
import { errorFields, log } from '@/lib/log';
import type { FieldErrors } from '@/lib/schemas/issues';

export type { FieldErrors };

export type ErrorCode = 'unauthenticated' | 'forbidden' | 'not_found' | 'rate_limited' | 'internal';

/**
 * What every server action (and the domain operations behind it) returns; forms read it with
 * useActionState, route handlers turn it into a status code.
 */
export type ActionResult<T = null, C = never> =
  | { status: 'idle' }
  | { status: 'ok'; data: T; message: string }
  /** `unchanged`: the input equals what is stored, so nothing was saved (not a mistake to fix). */
  | { status: 'invalid'; fieldErrors: FieldErrors; message: string; unchanged?: true }
  | { status: 'conflict'; conflict: C; message: string }
  | { status: 'error'; code: ErrorCode; message: string };

export type InvalidResult = Extract<ActionResult, { status: 'invalid' }>;

export const idle = { status: 'idle' } as const;

export function ok<T>(data: T, message: string): { status: 'ok'; data: T; message: string } {
  return { status: 'ok', data, message };
}

/** A refusal that belongs to one field of the form. */
export function fieldInvalid(field: string, message: string): InvalidResult {
  return { status: 'invalid', fieldErrors: { [field]: [message] }, message };
}

/** A refusal that belongs to the whole form rather than one field. */
export function formInvalid(message: string): InvalidResult {
  return fieldInvalid('_form', message);
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
  log.error({ action, ...errorFields(error) }, 'action failed');
  return {
    status: 'error',
    code: 'internal',
    message: 'Something went wrong on our side. Nothing was changed; please try again.',
  };
}
