'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { rotateWebhookSecret as rotate } from '@/lib/db/webhook-endpoints';
import type { ActionResult } from '@/lib/results';
import { webhookEndpointRefSchema } from '@/lib/schemas/webhooks';

export type RotateWebhookSecretResult = ActionResult<{ endpointId: string; secret: string }>;

export const rotateWebhookSecret = defineAction(
  {
    name: 'rotateWebhookSecret',
    permission: 'webhooks:manage',
    schema: webhookEndpointRefSchema,
    fromForm: (formData) => ({ endpointId: formData.get('endpointId') }),
    onSuccess: () => revalidatePath('/webhooks', 'layout'),
  },
  async ({ endpointId }, { principal, meta }): Promise<RotateWebhookSecretResult> => {
    const tenantId = requireOwnTenant(principal);
    const { endpoint, secret } = await rotate({ tenantId, endpointId });
    await recordAudit({
      action: 'webhook.secret_rotated',
      actor: actorOf(principal),
      tenantId,
      summary: `Rotated the signing secret of webhook endpoint ${endpoint.url}`,
      details: { endpointId, url: endpoint.url },
      meta,
    });
    return {
      status: 'ok',
      data: { endpointId, secret },
      message:
        'New secret created. For the next 24 hours each notification is signed with both the new and the previous secret, so switch your receiver within that time.',
    };
  },
);
