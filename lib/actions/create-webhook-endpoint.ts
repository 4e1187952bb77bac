'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { listAppListings } from '@/lib/db/apps';
import { authorFromPrincipal } from '@/lib/db/config-versions';
import {
  createWebhookEndpoint as insertEndpoint,
  deleteWebhookEndpoint,
} from '@/lib/db/webhook-endpoints';
import { env } from '@/lib/env';
import { errorFields, log } from '@/lib/log';
import { fieldInvalid, ok } from '@/lib/results';
import { createWebhookEndpointSchema } from '@/lib/schemas/webhooks';
import { checkEndpointUrl, resolveHost } from '@/lib/webhooks/url-guard';

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
  async (input, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    const refused = await checkEndpointUrl(
      input.url,
      { allowLoopback: env.WEBHOOKS_ALLOW_LOOPBACK },
      resolveHost,
    );
    if (refused) {
      return fieldInvalid('url', refused);
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
        return fieldInvalid('appIds', `No such app: ${unknown.join(', ')}`);
      }
    }
    const { endpoint, secret } = await insertEndpoint({
      ...input,
      tenantId,
      createdBy: authorFromPrincipal(principal),
    });
    try {
      await audit({
        action: 'webhook.created',
        tenantId,
        summary: `Added webhook endpoint ${endpoint.url} for ${endpoint.eventTypes.join(', ')}`,
        details: {
          endpointId: endpoint._id,
          url: endpoint.url,
          eventTypes: endpoint.eventTypes,
          appIds: endpoint.appIds,
        },
      });
    } catch (error) {
      // An endpoint nobody can trace must not receive anything: remove it, and say so.
      log.error(
        { endpointId: endpoint._id, ...errorFields(error) },
        'audit write failed; removing the new webhook endpoint',
      );
      await deleteWebhookEndpoint({ tenantId, endpointId: endpoint._id }).catch(() => {});
      return {
        status: 'error',
        code: 'internal',
        message:
          'The endpoint was not added: the audit log could not record it. Nothing will be sent to it; please try again.',
      };
    }
    return ok(
      { endpoint, secret },
      `Endpoint added. Copy its signing secret now: you won’t be able to see it again.`,
    );
  },
);
