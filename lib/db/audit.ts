import 'server-only';
import { ObjectId, type Filter } from 'mongodb';
import { tenantScope } from '@/lib/auth/authorize';
import type { Principal } from '@/lib/auth/principal';
import { appOptionsByIds } from '@/lib/db/apps';
import { collections, type AuditDoc } from '@/lib/db/collections';
import type { RequestMeta } from '@/lib/request-meta';
import {
  auditTimeRange,
  parseAuditCursor,
  type AuditAction,
  type AuditFilters,
} from '@/lib/schemas/audit';

// The list lives with the schemas so the audit page's filters can use it too.
export { auditActions, type AuditAction } from '@/lib/schemas/audit';

export function actorOf(
  principal: Principal | null,
  fallbackName = 'anonymous',
): AuditDoc['actor'] {
  if (!principal) return { kind: 'anonymous', id: null, name: fallbackName };
  return { kind: principal.kind, id: principal.id, name: principal.email ?? principal.name };
}

/** Append-only: nothing in the app updates or deletes audit entries. */
export async function recordAudit(entry: {
  action: AuditAction;
  actor: AuditDoc['actor'];
  tenantId: string | null;
  appId?: string | null;
  summary: string;
  details?: Record<string, unknown>;
  meta: RequestMeta;
}): Promise<void> {
  const c = await collections();
  await c.audit.insertOne({
    at: new Date(),
    action: entry.action,
    actor: entry.actor,
    tenantId: entry.tenantId,
    appId: entry.appId ?? null,
    summary: entry.summary,
    details: entry.details ?? {},
    ip: entry.meta.ip,
    userAgent: entry.meta.userAgent,
  });
}

export interface AuditQuery {
  tenantId?: string;
  appId?: string;
  actor?: string;
  action?: AuditAction;
  since?: Date;
  until?: Date;
  /** The next page after this entry (auditCursor), in (at, _id) order, newest first. */
  after?: string;
  limit: number;
}

export async function listAudit(q: AuditQuery): Promise<AuditDoc[]> {
  const c = await collections();
  const filter: Filter<AuditDoc> = {};
  if (q.tenantId) filter.tenantId = q.tenantId;
  if (q.appId) filter.appId = q.appId;
  if (q.actor) filter['actor.name'] = q.actor;
  if (q.action) filter.action = q.action;
  if (q.since || q.until) {
    filter.at = { ...(q.since && { $gte: q.since }), ...(q.until && { $lte: q.until }) };
  }
  if (q.after) {
    const { at, id } = parseAuditCursor(q.after);
    filter.$or = [{ at: { $lt: at } }, { at, _id: { $lt: new ObjectId(id) } }];
  }
  return c.audit.find(filter).sort({ at: -1, _id: -1 }).limit(q.limit).toArray();
}

/** The audit log a principal may read: admins their tenant's, support every tenant's. */
export async function listAuditForPrincipal(
  principal: Principal,
  filters: AuditFilters,
  limit: number,
): Promise<AuditDoc[]> {
  return listAudit({
    ...tenantScope(principal),
    appId: filters.app,
    actor: filters.user,
    action: filters.action,
    ...auditTimeRange(filters),
    after: filters.before,
    limit,
  });
}

export interface AuditFilterOption {
  value: string;
  label: string;
}

/**
 * Suggestions for the audit filters: the apps and actors of the page shown (and those already
 * filtered on), with the apps' names looked up by id. Never every user, token or app of every
 * tenant: a support account would otherwise load the whole user base on each page view.
 */
export async function auditFilterOptions(
  principal: Principal,
  entries: readonly AuditDoc[],
  filters: Pick<AuditFilters, 'app' | 'user'>,
): Promise<{ apps: AuditFilterOption[]; actors: AuditFilterOption[] }> {
  const unique = (values: (string | null | undefined)[]) =>
    [...new Set(values.filter((v): v is string => !!v))].sort();
  const apps = await appOptionsByIds(
    principal,
    unique([...entries.map((e) => e.appId), filters.app]),
  );
  const all = !principal.tenantId;
  return {
    apps: apps
      .map((a) => ({ value: a.id, label: all ? `${a.name} (${a.tenantId})` : a.name }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    // Token actors are recorded as `API token “name”` (actorOf), the value the filter matches.
    actors: unique([...entries.map((e) => e.actor.name), filters.user]).map((name) => ({
      value: name,
      label: name,
    })),
  };
}
