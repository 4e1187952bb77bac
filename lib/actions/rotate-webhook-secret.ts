'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { rotateWebhookSecret as rotate } from '@/lib/db/webhook-endpoints';
import { ok } from '@/lib/results';
import { webhookEndpointRefSchema } from '@/lib/schemas/webhooks';

export const rotateWebhookSecret = defineAction(
  {
    name: 'rotateWebhookSecret',
    permission: 'webhooks:manage',
    schema: webhookEndpointRefSchema,
    fromForm: formFields('endpointId'),
    onSuccess: () => revalidatePath('/webhooks', 'layout'),
  },
  async ({ endpointId }, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    const { endpoint, secret } = await rotate({ tenantId, endpointId });
    await audit({
      action: 'webhook.secret_rotated',
      tenantId,
      summary: `Rotated the signing secret of webhook endpoint ${endpoint.url}`,
      details: { endpointId, url: endpoint.url },
    });
    return ok(
      { endpointId, secret },
      'New secret created. For the next 24 hours each notification is signed with both the new and the previous secret, so switch your receiver within that time.',
    );
  },
);
