import 'server-only';
import type { Filter } from 'mongodb';
import {
  collections,
  type WebhookAttempt,
  type WebhookDeliveryDoc,
  type WebhookEventDoc,
} from '@/lib/db/collections';
import { NotFoundError } from '@/lib/errors';

/** Attempts kept per delivery for the log (the count goes on). */
const ATTEMPTS_KEPT = 20;

/**
 * Takes up to `limit` due deliveries for this worker, skipping endpoints it is already busy
 * with (or that are disabled). Each is claimed by a conditional update, so two workers never
 * send the same attempt; a worker that dies releases its claims when the lease runs out.
 */
export async function claimDueDeliveries({
  limit,
  leaseMs,
  skipEndpoints,
  now = new Date(),
}: {
  limit: number;
  leaseMs: number;
  skipEndpoints: string[];
  now?: Date;
}): Promise<WebhookDeliveryDoc[]> {
  if (limit <= 0) return [];
  const c = await collections();
  const free: Filter<WebhookDeliveryDoc> = {
    $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
  };
  const candidates = await c.webhookDeliveries
    .find(
      {
        status: 'pending',
        nextAttemptAt: { $lte: now },
        ...(skipEndpoints.length ? { endpointId: { $nin: skipEndpoints } } : {}),
        ...free,
      },
      { projection: { attempts: 0 } },
    )
    .sort({ nextAttemptAt: 1 })
    .limit(limit * 4)
    .toArray();
  const claimed: WebhookDeliveryDoc[] = [];
  const perEndpoint = new Set<string>();
  for (const candidate of candidates) {
    if (claimed.length >= limit) break;
    // One per endpoint per pass: a busy endpoint's backlog never crowds out the others.
    if (perEndpoint.has(candidate.endpointId)) continue;
    const doc = await c.webhookDeliveries.findOneAndUpdate(
      { _id: candidate._id, status: 'pending', ...free },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } },
      { returnDocument: 'after', projection: { attempts: 0 } },
    );
    if (!doc) continue;
    perEndpoint.add(doc.endpointId);
    claimed.push(doc);
  }
  return claimed;
}

export async function loadEvents(ids: string[]): Promise<Map<string, WebhookEventDoc>> {
  const c = await collections();
  const docs = await c.webhookEvents.find({ _id: { $in: ids } }).toArray();
  return new Map(docs.map((d) => [d._id, d]));
}

/**
 * Records an attempt and releases the claim: delivered, due again at `nextAttemptAt`, or given
 * up (`nextAttemptAt` null after a failure).
 */
export async function recordAttempt({
  deliveryId,
  attempt,
  delivered,
  nextAttemptAt,
}: {
  deliveryId: string;
  attempt: WebhookAttempt;
  delivered: boolean;
  nextAttemptAt: Date | null;
}): Promise<void> {
  const c = await collections();
  await c.webhookDeliveries.updateOne(
    { _id: deliveryId },
    {
      $set: {
        status: delivered ? 'delivered' : nextAttemptAt ? 'pending' : 'failed',
        nextAttemptAt: delivered ? null : nextAttemptAt,
        leaseUntil: null,
        ...(delivered ? { deliveredAt: attempt.at } : {}),
      },
      $inc: { attemptCount: 1 },
      $push: { attempts: { $each: [attempt], $slice: -ATTEMPTS_KEPT } },
    },
  );
}

/** An endpoint's delivery log, newest first. */
export async function listDeliveries({
  tenantId,
  endpointId,
  limit = 50,
}: {
  tenantId: string;
  endpointId: string;
  limit?: number;
}): Promise<WebhookDeliveryDoc[]> {
  const c = await collections();
  return c.webhookDeliveries
    .find({ tenantId, endpointId })
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit)
    .toArray();
}

/** The latest delivery of each endpoint, for the endpoints list. */
export async function latestDeliveries(
  tenantId: string,
  endpointIds: string[],
): Promise<Map<string, WebhookDeliveryDoc>> {
  const c = await collections();
  const latest = new Map<string, WebhookDeliveryDoc>();
  await Promise.all(
    endpointIds.map(async (endpointId) => {
      const doc = await c.webhookDeliveries.findOne(
        { tenantId, endpointId },
        { sort: { createdAt: -1 }, projection: { attempts: 0 } },
      );
      if (doc) latest.set(endpointId, doc);
    }),
  );
  return latest;
}

/**
 * Sends the delivery again now, with the same event id (receivers deduplicate on it). Allowed in
 * any state: a delivered one is resent on request, a failed one gets a fresh round of retries.
 */
export async function resendDelivery({
  tenantId,
  endpointId,
  deliveryId,
}: {
  tenantId: string;
  endpointId: string;
  deliveryId: string;
}): Promise<WebhookDeliveryDoc> {
  const c = await collections();
  const now = new Date();
  const doc = await c.webhookDeliveries.findOneAndUpdate(
    { _id: deliveryId, endpointId, tenantId },
    // A new round: a failed delivery gets its retries back; the count of attempts goes on.
    [
      {
        $set: {
          status: 'pending',
          nextAttemptAt: now,
          resentAt: now,
          roundStart: '$attemptCount',
        },
      },
    ],
    { returnDocument: 'after' },
  );
  if (!doc) throw new NotFoundError('Delivery not found.');
  return doc;
}
