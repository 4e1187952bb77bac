'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { resendDelivery } from '@/lib/db/webhook-deliveries';
import type { ActionResult } from '@/lib/results';
import { resendWebhookDeliverySchema } from '@/lib/schemas/webhooks';

export type ResendWebhookDeliveryResult = ActionResult<{ deliveryId: string }>;

export const resendWebhookDelivery = defineAction(
  {
    name: 'resendWebhookDelivery',
    permission: 'webhooks:manage',
    schema: resendWebhookDeliverySchema,
    fromForm: (formData) => ({
      endpointId: formData.get('endpointId'),
      deliveryId: formData.get('deliveryId'),
    }),
    onSuccess: () => revalidatePath('/webhooks', 'layout'),
  },
  async ({ endpointId, deliveryId }, { principal, meta }): Promise<ResendWebhookDeliveryResult> => {
    const tenantId = requireOwnTenant(principal);
    const delivery = await resendDelivery({ tenantId, endpointId, deliveryId });
    await recordAudit({
      action: 'webhook.resent',
      actor: actorOf(principal),
      tenantId,
      appId: delivery.appId,
      summary: `Resent ${delivery.eventType} (${delivery.eventId}) to a webhook endpoint`,
      details: { endpointId, deliveryId, eventId: delivery.eventId },
      meta,
    });
    return {
      status: 'ok',
      data: { deliveryId },
      message: `Resending ${delivery.eventType} with the same id (${delivery.eventId}), so your receiver can tell it is the same event.`,
    };
  },
);
