import 'server-only';
import type { z } from 'zod';
import type { Principal } from '@/lib/auth/principal';
import { requirePermission } from '@/lib/auth/authorize';
import type { Permission } from '@/lib/auth/roles';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { currentPrincipal } from '@/lib/session/session';
import { log, requestIdFrom, withRequestId } from '@/lib/log';
import { requestMeta, type RequestMeta } from '@/lib/request-meta';
import { errorResult, type ActionResult } from '@/lib/results';
import { flattenIssues } from '@/lib/schemas/issues';

/** An audit entry as an action writes it: the actor and the request come from the context. */
export type ActionAuditEntry = Omit<Parameters<typeof recordAudit>[0], 'actor' | 'meta'>;

export interface ActionContext {
  principal: Principal;
  meta: RequestMeta;
  /** Records what this principal did, from this request. */
  audit: (entry: ActionAuditEntry) => Promise<void>;
}

/** A server action as forms call it, plus `run` with an explicit principal for tests. */
export type FormAction<R> = ((prev: R, formData: FormData) => Promise<R>) & {
  run: (principal: Principal | null, raw: unknown, meta?: RequestMeta) => Promise<R>;
};

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

/** Reads plain form fields by name as the raw input (the schema checks and coerces them). */
export function formFields(...names: string[]): (formData: FormData) => Record<string, unknown> {
  return (formData) => Object.fromEntries(names.map((name) => [name, formData.get(name)]));
}

/**
 * The one wrapper every server action goes through: session, then permission, then zod, then
 * the handler. It returns the `(prevState, formData)` action itself, so an action is one
 * `'use server'` file; `run` takes the principal so the same checks can be exercised by tests
 * without a browser.
 *
 * `fromForm` turns the submitted FormData into the raw input (by default the JSON `payload`
 * field). `onSuccess` runs after an `ok` result, outside the error handling, so it may
 * revalidate and `redirect()` (which works by throwing).
 */
export function defineAction<S extends z.ZodType, T, C = never>(
  opts: {
    name: string;
    permission: Permission;
    schema: S;
    fromForm?: (formData: FormData) => unknown;
    onSuccess?: (result: { data: T; message: string }) => void | Promise<void>;
  },
  handler: (input: z.output<S>, ctx: ActionContext) => Promise<ActionResult<T, C>>,
): FormAction<ActionResult<T, C>> {
  async function run(
    principal: Principal | null,
    raw: unknown,
    meta: RequestMeta = { ip: null, userAgent: null },
  ): Promise<ActionResult<T, C>> {
    const requestId = meta.requestId ?? requestIdFrom(null);
    return withRequestId(requestId, async () => {
      const started = performance.now();
      const result = await checked(principal, raw, { ...meta, requestId });
      log.info(
        { action: opts.name, status: result.status, ms: Math.round(performance.now() - started) },
        'action',
      );
      return result;
    });
  }
  async function checked(
    principal: Principal | null,
    raw: unknown,
    meta: RequestMeta,
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
      const audit = (entry: ActionAuditEntry) => recordAudit({ ...entry, actor: actorOf(p), meta });
      return await handler(parsed.data, { principal: p, meta, audit });
    } catch (error) {
      return errorResult(error, opts.name);
    }
  }
  const fromForm = opts.fromForm ?? jsonField;
  async function action(_prev: ActionResult<T, C>, formData: FormData) {
    const result = await run(await currentPrincipal(), fromForm(formData), await requestMeta());
    if (result.status === 'ok') await opts.onSuccess?.(result);
    return result;
  }
  return Object.assign(action, { run });
}
