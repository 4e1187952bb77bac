import 'server-only';
import { MongoServerError, type Filter } from 'mongodb';
import type { Principal } from '@/lib/auth/principal';
import { checksum } from '@/lib/contract/canonical-json';
import {
  collections,
  ensureIndexes,
  type AppDoc,
  type Author,
  type ConfigVersionDoc,
} from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { containsText } from '@/lib/db/text-search';
import { currentRequestId } from '@/lib/log';
import { configSchema, type AppConfig } from '@/lib/schemas/config';
import type { HistorySearch } from '@/lib/schemas/history';

/** A version without its data: what history lists and conflict notices need. */
export type VersionSummary = Omit<ConfigVersionDoc, 'data'>;

export type StoredVersion = ConfigVersionDoc & Required<Pick<ConfigVersionDoc, '_id'>>;

export type CommitResult =
  | { status: 'committed'; doc: ConfigVersionDoc }
  /** Someone else committed first; `head` is what the app holds now. */
  | { status: 'conflict'; head: ConfigVersionDoc | null };

const withoutData = { projection: { data: 0 } } as const;

export function authorFromPrincipal(principal: Principal): Author {
  return { userId: principal.id, name: principal.name, email: principal.email ?? '' };
}

export async function getVersion(appId: string, version: number): Promise<ConfigVersionDoc | null> {
  const c = await collections();
  return c.configVersions.findOne({ appId, version });
}

/**
 * A page of an app's history, newest first, without data (lists don't show it). The cursor is a
 * version number: `before` pages back to older versions, `after` forward to newer ones; either
 * way the page reads newest first. `search` (see lib/schemas/history.ts) narrows to one version
 * number, or to versions whose message or author contains the words. Every read walks the
 * {appId, version} index from the cursor, so an app with thousands of versions costs a page.
 */
export async function listHistory(
  appId: string,
  {
    limit,
    before,
    after,
    search,
  }: { limit: number; before?: number; after?: number; search?: HistorySearch },
): Promise<VersionSummary[]> {
  const c = await collections();
  const range =
    before !== undefined
      ? { version: { $lt: before } }
      : after !== undefined
        ? { version: { $gt: after } }
        : {};
  const filter: Filter<ConfigVersionDoc> = { appId, ...range, ...searchFilter(search) };
  const found = await c.configVersions
    .find(filter, withoutData)
    .sort({ version: after !== undefined && before === undefined ? 1 : -1 })
    .limit(limit)
    .toArray();
  return after !== undefined && before === undefined ? found.reverse() : found;
}

function searchFilter(search: HistorySearch | undefined): Filter<ConfigVersionDoc> {
  if (!search) return {};
  if (search.kind === 'version') return { version: search.version };
  const words = containsText(search.text);
  return { $or: [{ message: words }, { 'author.name': words }, { 'author.email': words }] };
}

/**
 * Appends ready-made versions after the head in one batch, already marked pushed, then moves
 * the app's head. For seeding long histories (demo and tests), not for saves: a save goes
 * through commitVersion and the push.
 */
export async function appendSeedVersions(
  appId: string,
  docs: readonly ConfigVersionDoc[],
): Promise<void> {
  const last = docs.at(-1);
  if (!last) return;
  const c = await collections();
  await c.configVersions.insertMany(
    docs.map((d) => ({ ...d, appId })),
    { ordered: true },
  );
  await materialiseHead(appId, last);
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** Runs an insert; true if it wrote, false if the record already existed (duplicate key). */
export async function insertIfMissing(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Appends version expectedVersion+1. The unique index {appId, version} is the concurrency
 * control: of several saves that started from the same head exactly one insert succeeds, the
 * others get a duplicate key error and are told who won. No last-write-wins, ever.
 */
export async function commitVersion(input: {
  app: Pick<AppDoc, '_id' | 'tenantId'>;
  expectedVersion: number;
  data: AppConfig;
  author: Author;
  message: string;
  rollbackOf?: number | null;
  /** Commit a tombstone: the app is archived at this version (see ConfigVersionDoc). */
  archived?: boolean;
}): Promise<CommitResult> {
  await ensureIndexes();
  const c = await collections();
  const appId = input.app._id;

  // Cheap early answer for the common stale-editor case; the index still decides races.
  const head = await readHead(appId);
  if ((head?.version ?? 0) !== input.expectedVersion) return { status: 'conflict', head };

  // The last guard before storage: whatever a caller assembled, only a valid config with real
  // secrets (never the "unchanged" marker) is ever stored. A failure here is a bug, not user input.
  const data = configSchema.parse(input.data);
  const requestId = currentRequestId();
  const doc: ConfigVersionDoc = {
    appId,
    tenantId: input.app.tenantId,
    version: input.expectedVersion + 1,
    data,
    checksum: checksum(data),
    author: input.author,
    message: input.message,
    createdAt: new Date(),
    pushedAt: null,
    pushAttempts: 0,
    lastPushError: null,
    nextPushAt: null,
    rollbackOf: input.rollbackOf ?? null,
    ...(input.archived ? { archived: true as const } : {}),
    // The worker logs its retries of this push under the request that committed it.
    ...(requestId ? { requestId } : {}),
  };
  try {
    await c.configVersions.insertOne(doc);
  } catch (error) {
    if (isDuplicateKey(error)) return { status: 'conflict', head: await readHead(appId) };
    throw error;
  }
  await materialiseHead(appId, doc);
  return { status: 'committed', doc };
}

/** Full documents for the versions the worker has to re-push (it needs their data). */
export async function readVersions(
  keys: readonly { appId: string; version: number }[],
): Promise<ConfigVersionDoc[]> {
  if (keys.length === 0) return [];
  const c = await collections();
  return c.configVersions
    .find({ $or: keys.map((k) => ({ appId: k.appId, version: k.version })) })
    .toArray();
}

/** When each of these versions of an app was committed (ms since epoch), by version. */
export async function readCommitTimes(
  appId: string,
  versions: readonly number[],
): Promise<Map<number, number>> {
  if (versions.length === 0) return new Map();
  const c = await collections();
  const docs = await c.configVersions
    .find(
      { appId, version: { $in: [...versions] } },
      { projection: { _id: 0, version: 1, createdAt: 1 } },
    )
    .toArray();
  return new Map(docs.map((d) => [d.version, d.createdAt.getTime()]));
}

/**
 * Copies the head's version, time and archived state onto the app for cheap lists. Conditional
 * on an older headVersion, so a slower writer of an older version never moves the app backwards.
 */
export async function materialiseHead(
  appId: string,
  head: Pick<ConfigVersionDoc, 'version' | 'createdAt' | 'archived'>,
): Promise<void> {
  const c = await collections();
  await c.apps.updateOne(
    { _id: appId, headVersion: { $lt: head.version } },
    {
      $set: {
        headVersion: head.version,
        updatedAt: head.createdAt,
        archivedAt: head.archived ? head.createdAt : null,
      },
    },
  );
}
