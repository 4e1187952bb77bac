import 'server-only';
import type { Principal } from '@/lib/auth/principal';
import { assertTenant, tenantScope } from '@/lib/auth/authorize';
import { collections, type AppDoc, type Author } from '@/lib/db/collections';
import { commitVersion, insertIfMissing } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { containsText } from '@/lib/db/text-search';
import { NotFoundError } from '@/lib/errors';
import { appIdSchema } from '@/lib/schemas/app';
import type { AppSort } from '@/lib/schemas/apps-list';
import type { AppConfig } from '@/lib/schemas/config';

export interface LastChange {
  version: number;
  author: Author;
  createdAt: Date;
  message: string;
  pushedAt: Date | null;
}

export interface AppSummary {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  headVersion: number;
  archivedAt: Date | null;
  lastChange: LastChange | null;
}

export interface AppsPage {
  apps: AppSummary[];
  /** Apps matching the search, on every page. */
  total: number;
  page: number;
  pageCount: number;
}

const sorts: Record<AppSort, Record<string, 1 | -1>> = {
  name: { name: 1, _id: 1 },
  // Apps without a recorded change (never committed) sort last, then by id for a stable order.
  recent: { updatedAt: -1, _id: 1 },
  id: { _id: 1 },
};

/**
 * One page of the apps the principal may see, active or archived, searched by name or id and
 * sorted on the server. Two bounded queries whatever the number of apps: the page of apps (plus
 * its count), then the heads of that page only, by their exact {appId, version}.
 */
export async function searchAppsPage(
  principal: Principal,
  {
    archived,
    query = '',
    sort = 'name',
    page = 1,
    pageSize = 25,
  }: { archived: boolean; query?: string; sort?: AppSort; page?: number; pageSize?: number },
): Promise<AppsPage> {
  const c = await collections();
  const search = query.trim();
  const pattern = search ? containsText(search) : null;
  const filter = {
    ...tenantScope(principal),
    // null also matches apps created before archiving existed (no field at all).
    archivedAt: archived ? { $ne: null } : null,
    ...(pattern ? { $or: [{ name: pattern }, { _id: pattern }] } : {}),
  };
  const total = await c.apps.countDocuments(filter);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const apps = await c.apps
    .find(filter)
    .sort(sorts[sort])
    .skip((current - 1) * pageSize)
    .limit(pageSize)
    .toArray();
  return { apps: await withLastChange(apps), total, page: current, pageCount };
}

/** One page of the apps the principal may see, by id (the API's order: stable under inserts). */
export async function listAppsPage(
  principal: Principal,
  { limit, after }: { limit: number; after?: string },
): Promise<{ apps: AppSummary[]; hasMore: boolean }> {
  const c = await collections();
  const filter =
    after === undefined
      ? tenantScope(principal)
      : { ...tenantScope(principal), _id: { $gt: after } };
  const apps = await c.apps
    .find(filter)
    .sort({ _id: 1 })
    .limit(limit + 1)
    .toArray();
  return { apps: await withLastChange(apps.slice(0, limit)), hasMore: apps.length > limit };
}

export async function summarizeApp(app: AppDoc): Promise<AppSummary> {
  const [summary] = await withLastChange([app]);
  if (!summary) throw new Error(`summarizeApp: no summary for ${app._id}`);
  return summary;
}

/** The heads of a bounded list of apps, in one query served by the unique {appId, version} index. */
async function withLastChange(apps: AppDoc[]): Promise<AppSummary[]> {
  const c = await collections();
  const withHead = apps.filter((a) => a.headVersion > 0);
  const heads =
    withHead.length === 0
      ? []
      : await c.configVersions
          .find(
            { $or: withHead.map((a) => ({ appId: a._id, version: a.headVersion })) },
            {
              projection: {
                appId: 1,
                version: 1,
                author: 1,
                createdAt: 1,
                message: 1,
                pushedAt: 1,
              },
            },
          )
          .toArray();
  const byApp = new Map(heads.map((h) => [h.appId, h]));
  return apps.map((app) => {
    const head = byApp.get(app._id);
    return {
      id: app._id,
      tenantId: app.tenantId,
      name: app.name,
      description: app.description,
      headVersion: app.headVersion,
      archivedAt: app.archivedAt ?? null,
      lastChange: head
        ? {
            version: head.version,
            author: head.author,
            createdAt: head.createdAt,
            message: head.message,
            pushedAt: head.pushedAt,
          }
        : null,
    };
  });
}

export interface AppOption {
  id: string;
  tenantId: string;
  name: string;
  archived: boolean;
}

const optionFields = { projection: { _id: 1, tenantId: 1, name: 1, archivedAt: 1 } } as const;

/** Ids and names only, for pickers ("copy from"): no heads are read. */
export async function listAppOptions(principal: Principal, limit = 1000): Promise<AppOption[]> {
  const c = await collections();
  const apps = await c.apps
    .find(tenantScope(principal), optionFields)
    .sort({ name: 1, _id: 1 })
    .limit(limit)
    .toArray();
  return apps.map(appOption);
}

/** Names for the ids a page shows (the principal's apps only), one indexed read. */
export async function appOptionsByIds(principal: Principal, ids: string[]): Promise<AppOption[]> {
  if (ids.length === 0) return [];
  const c = await collections();
  const apps = await c.apps
    .find({ ...tenantScope(principal), _id: { $in: ids } }, optionFields)
    .toArray();
  return apps.map(appOption);
}

function appOption(a: Pick<AppDoc, '_id' | 'tenantId' | 'name' | 'archivedAt'>): AppOption {
  return {
    id: a._id,
    tenantId: a.tenantId,
    name: a.name,
    archived: !!a.archivedAt,
  };
}

/**
 * The app if the principal may see it. Unknown, malformed and other tenants' ids all get the
 * same "App not found." so ids cannot be probed.
 */
export async function getAppForPrincipalOrThrow(
  principal: Principal,
  appId: string,
): Promise<AppDoc> {
  const id = appIdSchema.safeParse(appId);
  if (!id.success) throw new NotFoundError('App not found.');
  const c = await collections();
  const app = await c.apps.findOne({ _id: id.data });
  if (!app) throw new NotFoundError('App not found.');
  assertTenant(principal, app.tenantId, 'App');
  return app;
}

/**
 * Creates an app with its first configuration (version 1), or completes one whose first
 * version is missing. Idempotent: an existing app and its history are never touched.
 */
export async function createApp(input: {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  config: AppConfig;
  author: Author;
  message: string;
}): Promise<{ app: AppDoc; created: boolean }> {
  const id = appIdSchema.parse(input.id);
  const c = await collections();
  const created = await insertIfMissing(() =>
    c.apps.insertOne({
      _id: id,
      tenantId: input.tenantId,
      name: input.name,
      description: input.description,
      createdAt: new Date(),
      headVersion: 0,
    }),
  );
  const existing = await c.apps.findOne({ _id: id });
  if (!existing) throw new Error(`createApp: app ${id} vanished after it was created`);
  if (!(await readHead(id, { data: false }))) {
    // A concurrent creator may win version 1; that is the same outcome, so a conflict is fine.
    await commitVersion({
      app: existing,
      expectedVersion: 0,
      data: input.config,
      author: input.author,
      message: input.message,
    });
  }
  const app = (await c.apps.findOne({ _id: id })) ?? existing;
  return { app, created };
}

export interface AppListing {
  appId: string;
  tenantId: string;
  name: string;
  headVersion: number;
}

/** Every app in a tenant scope (`{}` for support), names only: the fleet lists thousands. */
export async function listAppListings(
  scope: { tenantId?: string } | { appIds: readonly string[] },
): Promise<AppListing[]> {
  const c = await collections();
  const filter = 'appIds' in scope ? { _id: { $in: [...scope.appIds] } } : scope;
  const apps = await c.apps
    .find(filter, { projection: { _id: 1, tenantId: 1, name: 1, headVersion: 1 } })
    .sort({ tenantId: 1, name: 1 })
    .toArray();
  return apps.map((a) => ({
    appId: a._id,
    tenantId: a.tenantId,
    name: a.name,
    headVersion: a.headVersion,
  }));
}

/**
 * Adds a new app record without configuration (the caller commits version 1). False when the id
 * is taken: ids are global because they name the cache key every service reads.
 */
export async function insertApp(input: {
  id: string;
  tenantId: string;
  name: string;
  description: string;
}): Promise<AppDoc | null> {
  const c = await collections();
  const doc: AppDoc = {
    _id: appIdSchema.parse(input.id),
    tenantId: input.tenantId,
    name: input.name,
    description: input.description,
    createdAt: new Date(),
    headVersion: 0,
    archivedAt: null,
  };
  return (await insertIfMissing(() => c.apps.insertOne(doc))) ? doc : null;
}

/** Name and description only: they are not part of the configuration, so no version is made. */
export async function updateAppDetails(input: {
  id: string;
  name: string;
  description: string;
}): Promise<void> {
  const c = await collections();
  await c.apps.updateOne(
    { _id: input.id },
    { $set: { name: input.name, description: input.description } },
  );
}
