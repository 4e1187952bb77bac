import 'server-only';
import { collections, ensureIndexes, type IdempotencyDoc } from '@/lib/db/collections';
import { insertIfMissing } from '@/lib/db/config-versions';

/** Keys are kept a day (a TTL index removes them; reads ignore older ones where TTL is slow). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** A claim still pending after this long belongs to a request that died: it may be taken over. */
const STALE_PENDING_MS = 120_000;

export type ClaimResult = { claimed: true } | { claimed: false; record: IdempotencyDoc };

/**
 * Claims a key before the write runs. Exactly one of several concurrent requests with the same
 * key gets `claimed: true` (the unique _id decides); the others see the record as it stands.
 */
export async function claimIdempotencyKey(id: string, fingerprint: string): Promise<ClaimResult> {
  await ensureIndexes();
  const c = await collections();
  const fresh = (): IdempotencyDoc => ({
    _id: id,
    fingerprint,
    state: 'pending',
    status: null,
    headers: {},
    body: null,
    createdAt: new Date(),
  });
  if (await insertIfMissing(() => c.idempotencyKeys.insertOne(fresh()))) return { claimed: true };
  const record = await c.idempotencyKeys.findOne({ _id: id });
  if (!record) return claimIdempotencyKey(id, fingerprint);
  const age = Date.now() - record.createdAt.getTime();
  const expired = age > IDEMPOTENCY_TTL_MS;
  const abandoned = record.state === 'pending' && age > STALE_PENDING_MS;
  if (expired || abandoned) {
    // Compare-and-swap on createdAt: of two requests taking over, one wins.
    const taken = await c.idempotencyKeys.replaceOne(
      { _id: id, createdAt: record.createdAt },
      fresh(),
    );
    if (taken.modifiedCount === 1) return { claimed: true };
    return claimIdempotencyKey(id, fingerprint);
  }
  return { claimed: false, record };
}

export async function completeIdempotencyKey(
  id: string,
  answer: { status: number; headers: Record<string, string>; body: string },
): Promise<void> {
  const c = await collections();
  await c.idempotencyKeys.updateOne({ _id: id }, { $set: { state: 'done', ...answer } });
}

/** The write failed before answering: the key is free again, so the client may retry. */
export async function releaseIdempotencyKey(id: string): Promise<void> {
  const c = await collections();
  await c.idempotencyKeys.deleteOne({ _id: id, state: 'pending' });
}
