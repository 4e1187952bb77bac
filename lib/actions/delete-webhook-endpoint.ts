'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { deleteWebhookEndpoint as remove } from '@/lib/db/webhook-endpoints';
import type { ActionResult } from '@/lib/results';
import { webhookEndpointRefSchema } from '@/lib/schemas/webhooks';

export type DeleteWebhookEndpointResult = ActionResult<{ endpointId: string }>;

export const deleteWebhookEndpoint = defineAction(
  {
    name: 'deleteWebhookEndpoint',
    permission: 'webhooks:manage',
    schema: webhookEndpointRefSchema,
    fromForm: (formData) => ({ endpointId: formData.get('endpointId') }),
    onSuccess: () => {
      revalidatePath('/webhooks', 'layout');
      redirect('/webhooks');
    },
  },
  async ({ endpointId }, { principal, meta }): Promise<DeleteWebhookEndpointResult> => {
    const tenantId = requireOwnTenant(principal);
    const endpoint = await remove({ tenantId, endpointId });
    await recordAudit({
      action: 'webhook.deleted',
      actor: actorOf(principal),
      tenantId,
      summary: `Deleted webhook endpoint ${endpoint.url}`,
      details: { endpointId, url: endpoint.url },
      meta,
    });
    return { status: 'ok', data: { endpointId }, message: 'Endpoint deleted.' };
  },
);
