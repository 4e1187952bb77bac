'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { deleteWebhookEndpoint as remove } from '@/lib/db/webhook-endpoints';
import { ok } from '@/lib/results';
import { webhookEndpointRefSchema } from '@/lib/schemas/webhooks';

export const deleteWebhookEndpoint = defineAction(
  {
    name: 'deleteWebhookEndpoint',
    permission: 'webhooks:manage',
    schema: webhookEndpointRefSchema,
    fromForm: formFields('endpointId'),
    onSuccess: () => {
      revalidatePath('/webhooks', 'layout');
      redirect('/webhooks');
    },
  },
  async ({ endpointId }, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    const endpoint = await remove({ tenantId, endpointId });
    await audit({
      action: 'webhook.deleted',
      tenantId,
      summary: `Deleted webhook endpoint ${endpoint.url}`,
      details: { endpointId, url: endpoint.url },
    });
    return ok({ endpointId }, 'Endpoint deleted.');
  },
);
