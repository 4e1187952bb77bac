'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { listAppListings } from '@/lib/db/apps';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { authorFromPrincipal } from '@/lib/db/config-versions';
import {
  createWebhookEndpoint as insertEndpoint,
  deleteWebhookEndpoint,
  type WebhookEndpointSummary,
} from '@/lib/db/webhook-endpoints';
import { env } from '@/lib/env';
import type { ActionResult } from '@/lib/results';
import { createWebhookEndpointSchema } from '@/lib/schemas/webhooks';
import { checkEndpointUrl, resolveHost } from '@/lib/webhooks/url-guard';

export type CreateWebhookEndpointResult = ActionResult<{
  endpoint: WebhookEndpointSummary;
  secret: string;
}>;

export const createWebhookEndpoint = defineAction(
  {
    name: 'createWebhookEndpoint',
    permission: 'webhooks:manage',
    schema: createWebhookEndpointSchema,
    fromForm: (formData) => ({
      url: formData.get('url'),
      description: formData.get('description') ?? '',
      eventTypes: formData.getAll('eventTypes'),
      appIds: formData.getAll('appIds'),
    }),
    onSuccess: () => revalidatePath('/webhooks'),
  },
  async (input, { principal, meta }): Promise<CreateWebhookEndpointResult> => {
    const tenantId = requireOwnTenant(principal);
    const refused = await checkEndpointUrl(
      input.url,
      { allowLoopback: env.WEBHOOKS_ALLOW_LOOPBACK },
      resolveHost,
    );
    if (refused) {
      return { status: 'invalid', fieldErrors: { url: [refused] }, message: refused };
    }
    if (input.appIds.length > 0) {
      // Another tenant's app is as unknown as a made-up id.
      const own = new Set(
        (await listAppListings({ appIds: input.appIds }))
          .filter((a) => a.tenantId === tenantId)
          .map((a) => a.appId),
      );
      const unknown = input.appIds.filter((id) => !own.has(id));
      if (unknown.length > 0) {
        const message = `No such app: ${unknown.join(', ')}`;
        return { status: 'invalid', fieldErrors: { appIds: [message] }, message };
      }
    }
    const { endpoint, secret } = await insertEndpoint({
      ...input,
      tenantId,
      createdBy: authorFromPrincipal(principal),
    });
    try {
      await recordAudit({
        action: 'webhook.created',
        actor: actorOf(principal),
        tenantId,
        summary: `Added webhook endpoint ${endpoint.url} for ${endpoint.eventTypes.join(', ')}`,
        details: {
          endpointId: endpoint._id,
          url: endpoint.url,
          eventTypes: endpoint.eventTypes,
          appIds: endpoint.appIds,
        },
        meta,
      });
    } catch (error) {
      // An endpoint nobody can trace must not receive anything: remove it, and say so.
      console.error('[action createWebhookEndpoint] audit write failed; removing it', error);
      await deleteWebhookEndpoint({ tenantId, endpointId: endpoint._id }).catch(() => {});
      return {
        status: 'error',
        code: 'internal',
        message:
          'The endpoint was not added: the audit log could not record it. Nothing will be sent to it; please try again.',
      };
    }
    return {
      status: 'ok',
      data: { endpoint, secret },
      message: `Endpoint added. Copy its signing secret now: you won’t be able to see it again.`,
    };
  },
);
