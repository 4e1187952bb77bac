import 'server-only';
import { randomBytes } from 'node:crypto';
import {
  collections,
  ensureIndexes,
  type Author,
  type WebhookEndpointDoc,
  type WebhookSecret,
} from '@/lib/db/collections';
import { NotFoundError } from '@/lib/errors';
import type { CreateWebhookEndpointInput, WebhookEventType } from '@/lib/schemas/webhooks';

/** An endpoint as the dashboard shows it: never its secrets, only when they were made. */
export type WebhookEndpointSummary = Omit<WebhookEndpointDoc, 'secrets'> & {
  secrets: Omit<WebhookSecret, 'key'>[];
};

/** How long a rotated-out secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 3600 * 1000;

/** `whsec_` + base64 of 24 random bytes: the Standard Webhooks form of a signing secret. */
export function newWebhookSecret(): { key: string; secret: string } {
  const key = randomBytes(24).toString('base64');
  return { key, secret: `whsec_${key}` };
}

function summary(doc: WebhookEndpointDoc): WebhookEndpointSummary {
  return { ...doc, secrets: doc.secrets.map(({ key: _key, ...rest }) => rest) };
}

export async function createWebhookEndpoint(
  input: CreateWebhookEndpointInput & { tenantId: string; createdBy: Author },
): Promise<{ endpoint: WebhookEndpointSummary; secret: string }> {
  await ensureIndexes();
  const c = await collections();
  const { key, secret } = newWebhookSecret();
  const now = new Date();
  const doc: WebhookEndpointDoc = {
    _id: `whe_${randomBytes(12).toString('hex')}`,
    tenantId: input.tenantId,
    url: input.url,
    description: input.description,
    eventTypes: input.eventTypes,
    appIds: input.appIds,
    enabled: true,
    secrets: [{ key, createdAt: now, expiresAt: null }],
    createdBy: input.createdBy,
    createdAt: now,
    updatedAt: now,
  };
  await c.webhookEndpoints.insertOne(doc);
  return { endpoint: summary(doc), secret };
}

export async function listWebhookEndpoints(tenantId: string): Promise<WebhookEndpointSummary[]> {
  const c = await collections();
  const docs = await c.webhookEndpoints
    .find({ tenantId })
    .sort({ createdAt: -1 })
    .limit(200)
    .toArray();
  return docs.map(summary);
}

/** The tenant's endpoint; another tenant's is "not found", like an unknown one. */
export async function getWebhookEndpoint(
  tenantId: string,
  endpointId: string,
): Promise<WebhookEndpointSummary> {
  const c = await collections();
  const doc = await c.webhookEndpoints.findOne({ _id: endpointId, tenantId });
  if (!doc) throw new NotFoundError('Webhook endpoint not found.');
  return summary(doc);
}

/** With its secrets, for signing: the dispatcher only. */
export async function loadEndpointsForDelivery(ids: string[]): Promise<WebhookEndpointDoc[]> {
  const c = await collections();
  return c.webhookEndpoints.find({ _id: { $in: ids } }).toArray();
}

export async function disabledEndpointIds(): Promise<string[]> {
  const c = await collections();
  const docs = await c.webhookEndpoints
    .find({ enabled: false }, { projection: { _id: 1 } })
    .toArray();
  return docs.map((d) => d._id);
}

/** Enabled endpoints of the tenant that want this event for this app. */
export async function endpointsFor(
  tenantId: string,
  type: WebhookEventType,
  appId: string,
): Promise<WebhookEndpointDoc[]> {
  const c = await collections();
  const docs = await c.webhookEndpoints.find({ tenantId, enabled: true }).toArray();
  return docs.filter(
    (d) => d.eventTypes.includes(type) && (d.appIds.length === 0 || d.appIds.includes(appId)),
  );
}

export async function setWebhookEndpointEnabled({
  tenantId,
  endpointId,
  enabled,
}: {
  tenantId: string;
  endpointId: string;
  enabled: boolean;
}): Promise<{ endpoint: WebhookEndpointSummary; changed: boolean }> {
  const c = await collections();
  const updated = await c.webhookEndpoints.findOneAndUpdate(
    { _id: endpointId, tenantId, enabled: !enabled },
    { $set: { enabled, updatedAt: new Date() } },
    { returnDocument: 'after' },
  );
  if (updated) return { endpoint: summary(updated), changed: true };
  return { endpoint: await getWebhookEndpoint(tenantId, endpointId), changed: false };
}

/**
 * A new secret, returned once. The previous ones keep signing until SECRET_OVERLAP_MS from now
 * (each notification then carries one signature per secret), so a receiver can switch without
 * dropping a notification; older ones are dropped.
 */
export async function rotateWebhookSecret({
  tenantId,
  endpointId,
}: {
  tenantId: string;
  endpointId: string;
}): Promise<{ endpoint: WebhookEndpointSummary; secret: string }> {
  const c = await collections();
  const current = await c.webhookEndpoints.findOne({ _id: endpointId, tenantId });
  if (!current) throw new NotFoundError('Webhook endpoint not found.');
  const now = new Date();
  const until = new Date(now.getTime() + SECRET_OVERLAP_MS);
  const { key, secret } = newWebhookSecret();
  const kept = current.secrets
    .filter((s) => !s.expiresAt || s.expiresAt > now)
    .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until }));
  const secrets = [{ key, createdAt: now, expiresAt: null }, ...kept].slice(0, 3);
  const updated = await c.webhookEndpoints.findOneAndUpdate(
    { _id: endpointId, tenantId },
    { $set: { secrets, updatedAt: now } },
    { returnDocument: 'after' },
  );
  if (!updated) throw new NotFoundError('Webhook endpoint not found.');
  return { endpoint: summary(updated), secret };
}

/** Removes the endpoint and its delivery log; nothing more is sent to it. */
export async function deleteWebhookEndpoint({
  tenantId,
  endpointId,
}: {
  tenantId: string;
  endpointId: string;
}): Promise<WebhookEndpointSummary> {
  const c = await collections();
  const removed = await c.webhookEndpoints.findOneAndDelete({ _id: endpointId, tenantId });
  if (!removed) throw new NotFoundError('Webhook endpoint not found.');
  await c.webhookDeliveries.deleteMany({ endpointId, tenantId });
  return summary(removed);
}
