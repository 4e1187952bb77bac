import 'server-only';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MongoServerError } from 'mongodb';
import {
  collections,
  type ConfigVersionDoc,
  type WebhookDeliveryDoc,
  type WebhookEventDoc,
} from '@/lib/db/collections';
import { endpointsFor } from '@/lib/db/webhook-endpoints';
import type { WebhookEventData, WebhookEventType } from '@/lib/schemas/webhooks';

/**
 * Producing events: one document per event, whose id is derived from what it is about, so the
 * save path, the worker's retries and several workers side by side all produce it once; then
 * one delivery per endpoint that wants it (ids derived too, so fanning out twice is harmless).
 */

const hash = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/** The stable id: also the `webhook-id` every attempt and resend of it carries. */
export function eventId(type: WebhookEventType, key: string): string {
  return `evt_${hash(`${type}|${key}`, 32)}`;
}

export function deliveryId(endpointId: string, eventId: string): string {
  return `whd_${hash(`${endpointId}|${eventId}`, 24)}`;
}

/** Deliveries were queued in this process: the dispatcher, if it runs here, starts at once. */
export const deliveriesQueued = new EventEmitter();

const isDuplicate = (error: unknown) => error instanceof MongoServerError && error.code === 11000;

export interface NewEvent<T extends WebhookEventType> {
  type: T;
  /** What makes it one event: `app|version`, `app|version|region`. */
  key: string;
  tenantId: string;
  appId: string;
  /** When it happened (the body's `timestamp`). */
  at: Date;
  data: WebhookEventData<T>;
  region?: string;
}

/**
 * Stores the event unless it exists, then fans it out. Returns whether this call created it.
 * Never throws for a duplicate; other failures propagate (callers decide whether they matter).
 */
export async function recordEvent<T extends WebhookEventType>(
  event: NewEvent<T>,
): Promise<{ id: string; created: boolean }> {
  const c = await collections();
  const doc: WebhookEventDoc = {
    _id: eventId(event.type, event.key),
    tenantId: event.tenantId,
    appId: event.appId,
    type: event.type,
    body: JSON.stringify({ type: event.type, timestamp: event.at.toISOString(), data: event.data }),
    createdAt: new Date(),
    fannedOutAt: null,
    ...(event.type === 'region.lagging' ? { recoveredAt: null, region: event.region } : {}),
  };
  try {
    await c.webhookEvents.insertOne(doc);
  } catch (error) {
    if (isDuplicate(error)) return { id: doc._id, created: false };
    throw error;
  }
  await fanOut(doc);
  return { id: doc._id, created: true };
}

/** One delivery per endpoint that wants the event; then the event is marked fanned out. */
export async function fanOut(
  event: Pick<WebhookEventDoc, '_id' | 'tenantId' | 'appId' | 'type' | 'createdAt'>,
): Promise<number> {
  const c = await collections();
  const endpoints = await endpointsFor(event.tenantId, event.type, event.appId);
  const now = new Date();
  let queued = 0;
  await Promise.all(
    endpoints.map(async (endpoint) => {
      const doc: WebhookDeliveryDoc = {
        _id: deliveryId(endpoint._id, event._id),
        endpointId: endpoint._id,
        tenantId: event.tenantId,
        eventId: event._id,
        eventType: event.type,
        appId: event.appId,
        status: 'pending',
        attemptCount: 0,
        attempts: [],
        nextAttemptAt: now,
        leaseUntil: null,
        createdAt: now,
        deliveredAt: null,
        resentAt: null,
      };
      try {
        await c.webhookDeliveries.insertOne(doc);
        queued += 1;
      } catch (error) {
        if (!isDuplicate(error)) throw error;
      }
    }),
  );
  await c.webhookEvents.updateOne({ _id: event._id }, { $set: { fannedOutAt: now } });
  if (queued > 0) deliveriesQueued.emit('queued');
  return queued;
}

/** Events whose fan-out did not finish (the process died between the two writes). */
export async function fanOutStragglers(olderThanMs = 5_000): Promise<number> {
  const c = await collections();
  const stragglers = await c.webhookEvents
    .find(
      { fannedOutAt: null, createdAt: { $lt: new Date(Date.now() - olderThanMs) } },
      { projection: { body: 0 } },
    )
    .limit(100)
    .toArray();
  for (const event of stragglers) await fanOut(event);
  return stragglers.length;
}

const authorOf = (doc: Pick<ConfigVersionDoc, 'author'>) => ({
  name: doc.author.name,
  email: doc.author.email || null,
});

/**
 * config.saved or config.rolled_back for a committed version, from the version alone, so the
 * save path and the worker's catch-up produce the same body.
 */
export function recordCommitEvent(
  doc: Pick<
    ConfigVersionDoc,
    'appId' | 'tenantId' | 'version' | 'createdAt' | 'author' | 'message' | 'rollbackOf'
  >,
) {
  const base = {
    key: `${doc.appId}|${doc.version}`,
    tenantId: doc.tenantId,
    appId: doc.appId,
    at: doc.createdAt,
  };
  const data = {
    tenantId: doc.tenantId,
    appId: doc.appId,
    version: doc.version,
    committedAt: doc.createdAt.toISOString(),
    author: authorOf(doc),
    message: doc.message,
  };
  return doc.rollbackOf != null
    ? recordEvent({
        ...base,
        type: 'config.rolled_back',
        data: { ...data, rollbackOf: doc.rollbackOf },
      })
    : recordEvent({ ...base, type: 'config.saved', data });
}

export function recordPushedEvent(
  doc: Pick<ConfigVersionDoc, 'appId' | 'tenantId' | 'version' | 'createdAt'>,
  pushedAt: Date,
) {
  return recordEvent({
    type: 'config.pushed',
    key: `${doc.appId}|${doc.version}`,
    tenantId: doc.tenantId,
    appId: doc.appId,
    at: pushedAt,
    data: {
      tenantId: doc.tenantId,
      appId: doc.appId,
      version: doc.version,
      committedAt: doc.createdAt.toISOString(),
      pushedAt: pushedAt.toISOString(),
    },
  });
}

/** Lags without a recovery yet: `appId|region` → the lagging event. */
export async function openLags(): Promise<Map<string, { id: string; since: Date }>> {
  const c = await collections();
  const docs = await c.webhookEvents
    .find({ type: 'region.lagging', recoveredAt: null }, { projection: { body: 0 } })
    .toArray();
  return new Map(docs.map((d) => [`${d.appId}|${d.region}`, { id: d._id, since: d.createdAt }]));
}

/** Closes a lag; true for the one caller that closed it (so only it produces the recovery). */
export async function closeLag(lagEventId: string): Promise<boolean> {
  const c = await collections();
  const result = await c.webhookEvents.updateOne(
    { _id: lagEventId, recoveredAt: null },
    { $set: { recoveredAt: new Date() } },
  );
  return result.modifiedCount === 1;
}

/**
 * The worker's catch-up: versions committed since `since` whose config.saved or
 * config.rolled_back event is missing (the save's event write failed, or the version was not
 * made by a save: a new app's first version). Produces them with the same ids and bodies.
 */
export async function catchUpCommitEvents(since: Date): Promise<number> {
  const c = await collections();
  const versions = await c.configVersions
    .find({ createdAt: { $gte: since }, archived: { $ne: true } }, { projection: { data: 0 } })
    .limit(1_000)
    .toArray();
  if (versions.length === 0) return 0;
  const idOf = (v: (typeof versions)[number]) =>
    eventId(
      v.rollbackOf != null ? 'config.rolled_back' : 'config.saved',
      `${v.appId}|${v.version}`,
    );
  const existing = new Set(
    (
      await c.webhookEvents
        .find({ _id: { $in: versions.map(idOf) } }, { projection: { _id: 1 } })
        .toArray()
    ).map((d) => d._id),
  );
  let made = 0;
  for (const v of versions) {
    if (!existing.has(idOf(v)) && (await recordCommitEvent(v)).created) made += 1;
  }
  return made;
}
