import { z } from 'zod';
import { appIdSchema } from '@/lib/schemas/app';

export const auditActions = [
  'config.saved',
  'config.rolled_back',
  'push.retried',
  'push.forced',
  'token.created',
  'token.revoked',
  'sign_in.succeeded',
  'sign_in.failed',
  'sign_out',
  'migration.planned',
  'migration.started',
  'migration.cut_over',
  'migration.rolled_back',
  'migration.finished',
  'migration.cancelled',
  'app.created',
  'app.updated',
  'app.archived',
  'app.restored',
  'user.invited',
  'invitation.revoked',
  'invitation.accepted',
  'user.role_changed',
  'user.disabled',
  'user.enabled',
  'password.changed',
  'webhook.created',
  'webhook.enabled',
  'webhook.disabled',
  'webhook.secret_rotated',
  'webhook.deleted',
  'webhook.resent',
] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditActionLabels: Record<AuditAction, string> = {
  'config.saved': 'Configuration saved',
  'config.rolled_back': 'Configuration rolled back',
  'push.retried': 'Push retried',
  'push.forced': 'Push forced over a diverged cache entry',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'sign_in.succeeded': 'Signed in',
  'sign_in.failed': 'Sign-in failed',
  sign_out: 'Signed out',
  'migration.planned': 'Cache migration planned',
  'migration.started': 'Cache migration started',
  'migration.cut_over': 'Cache cut over',
  'migration.rolled_back': 'Cache cut-over rolled back',
  'migration.finished': 'Cache migration finished',
  'migration.cancelled': 'Cache migration cancelled',
  'app.created': 'App created',
  'app.updated': 'App renamed or described',
  'app.archived': 'App archived',
  'app.restored': 'App restored',
  'user.invited': 'User invited',
  'invitation.revoked': 'Invitation revoked',
  'invitation.accepted': 'Invitation accepted',
  'user.role_changed': 'Role changed',
  'user.disabled': 'User disabled',
  'user.enabled': 'User re-enabled',
  'password.changed': 'Password changed',
  'webhook.created': 'Webhook endpoint added',
  'webhook.enabled': 'Webhook endpoint enabled',
  'webhook.disabled': 'Webhook endpoint disabled',
  'webhook.secret_rotated': 'Webhook secret rotated',
  'webhook.deleted': 'Webhook endpoint deleted',
  'webhook.resent': 'Webhook delivery resent',
};

/** An HTML form submits empty inputs as "": that means "no filter", not an invalid value. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const day = z.iso.date({ error: 'Pick a date' });

/** The audit log's filters, as they arrive in the page's search params. */
export const auditFilterSchema = z
  .object({
    app: optional(appIdSchema),
    user: optional(z.string().trim().max(200, { error: 'Keep it under 200 characters' })),
    action: optional(z.enum(auditActions, { error: 'Choose an action from the list' })),
    from: optional(day),
    to: optional(day),
    /** Paging: entries after this one, newest first (see auditCursor). */
    before: optional(
      z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z~[0-9a-f]{24}$/, {
        error: 'That page link is broken; start again',
      }),
    ),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    error: 'The end date is before the start date',
    path: ['to'],
  });
export type AuditFilters = z.output<typeof auditFilterSchema>;

/**
 * Where the next page starts: the last entry's time *and* id, since many entries can share a
 * millisecond and a page that ended inside one would otherwise skip the rest of it.
 */
export function auditCursor(entry: { at: Date; _id: string }): string {
  return `${entry.at.toISOString()}~${entry._id}`;
}

export function parseAuditCursor(cursor: string): { at: Date; id: string } {
  const [at = '', id = ''] = cursor.split('~');
  return { at: new Date(at), id };
}

/** The instants a filter selects: whole UTC days, both ends included. */
export function auditTimeRange(f: AuditFilters): { since?: Date; until?: Date } {
  return {
    ...(f.from && { since: new Date(`${f.from}T00:00:00.000Z`) }),
    ...(f.to && { until: new Date(`${f.to}T23:59:59.999Z`) }),
  };
}
