import 'server-only';
import type { UpdateFilter } from 'mongodb';
import { collections, ensureIndexes } from '@/lib/db/collections';
import { insertIfMissing } from '@/lib/db/config-versions';
import {
  initialCacheState,
  type BackfillProgress,
  type CacheStateDoc,
  type MigrationDoc,
  type StepActor,
  type VerifyState,
} from '@/lib/model/migration';
import { initialDeployment } from '@/lib/regions';

/**
 * Which cache deployment is active and the migration under way: one document, changed by
 * operators' steps with a compare-and-set on its revision (two operators racing: one wins, the
 * other is told what happened) and by the worker's progress reports, which never bump it.
 */

/** The current state; the first read stores the initial one (the first declared deployment). */
export async function getCacheState(): Promise<CacheStateDoc> {
  const c = await collections();
  const found = await c.cacheState.findOne({ _id: 'cache' });
  if (found) return found;
  await insertIfMissing(() => c.cacheState.insertOne(initialCacheState(initialDeployment().name)));
  const stored = await c.cacheState.findOne({ _id: 'cache' });
  if (!stored) throw new Error('cache_state could not be initialised');
  return stored;
}

export type StepOutcome =
  | { status: 'applied'; state: CacheStateDoc }
  /** Someone changed the state first; `state` is what it is now. */
  | { status: 'raced'; state: CacheStateDoc };

/**
 * Applies an operator's step if nobody changed the state since `expectRevision` was read.
 * `change` gets the state it applies to and returns the fields to set.
 */
export async function applyStep({
  expectRevision,
  action,
  by,
  set,
}: {
  expectRevision: number;
  action: string;
  by: StepActor;
  set: Partial<Pick<CacheStateDoc, 'active' | 'epoch' | 'migration'>>;
}): Promise<StepOutcome> {
  await ensureIndexes();
  const c = await collections();
  const updated = await c.cacheState.findOneAndUpdate(
    { _id: 'cache', revision: expectRevision },
    { $set: { ...set, lastStep: { action, by, at: new Date() } }, $inc: { revision: 1 } },
    { returnDocument: 'after' },
  );
  if (updated) return { status: 'applied', state: updated };
  return { status: 'raced', state: await getCacheState() };
}

/** The worker's progress: written only while that migration is still in a phase that wants it. */
async function updateMigration(
  migrationId: string,
  phases: MigrationDoc['phase'][],
  update: UpdateFilter<CacheStateDoc>,
): Promise<boolean> {
  const c = await collections();
  const result = await c.cacheState.updateOne(
    { _id: 'cache', 'migration.id': migrationId, 'migration.phase': { $in: phases } },
    update,
  );
  return result.matchedCount === 1;
}

export function recordBackfill(migrationId: string, backfill: BackfillProgress): Promise<boolean> {
  return updateMigration(migrationId, ['syncing', 'cut-over'], {
    $set: { 'migration.backfill': backfill },
  });
}

export function recordVerifyState(migrationId: string, verify: VerifyState): Promise<boolean> {
  return updateMigration(migrationId, ['syncing', 'cut-over'], {
    $set: { 'migration.verify': verify },
  });
}

/** Keeps the record of a migration that ended. */
export async function archiveMigration(
  migration: MigrationDoc,
  outcome: 'finished' | 'cancelled',
): Promise<void> {
  const c = await collections();
  await insertIfMissing(() =>
    c.migrations.insertOne({ ...migration, _id: migration.id, endedAt: new Date(), outcome }),
  );
}

export async function listPastMigrations(limit = 10) {
  const c = await collections();
  return c.migrations.find({}).sort({ endedAt: -1 }).limit(limit).toArray();
}

/**
 * For the demo's seed only: a state naming a deployment this environment does not declare (the
 * demo started once with `--migration` and once without) starts over from the first declared
 * one. A real deployment never does this silently: its pushes fail loudly instead.
 */
export async function resetUndeclaredCacheState(declared: string[]): Promise<boolean> {
  const c = await collections();
  const found = await c.cacheState.findOne({ _id: 'cache' });
  const names = found ? [found.active, found.migration?.target, found.migration?.source] : [];
  if (!found || names.every((n) => n === undefined || declared.includes(n))) return false;
  await c.cacheState.deleteOne({ _id: 'cache', revision: found.revision });
  return true;
}
