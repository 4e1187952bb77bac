'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { resendDelivery } from '@/lib/db/webhook-deliveries';
import { ok } from '@/lib/results';
import { resendWebhookDeliverySchema } from '@/lib/schemas/webhooks';

export const resendWebhookDelivery = defineAction(
  {
    name: 'resendWebhookDelivery',
    permission: 'webhooks:manage',
    schema: resendWebhookDeliverySchema,
    fromForm: formFields('endpointId', 'deliveryId'),
    onSuccess: () => revalidatePath('/webhooks', 'layout'),
  },
  async ({ endpointId, deliveryId }, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    const delivery = await resendDelivery({ tenantId, endpointId, deliveryId });
    await audit({
      action: 'webhook.resent',
      tenantId,
      appId: delivery.appId,
      summary: `Resent ${delivery.eventType} (${delivery.eventId}) to a webhook endpoint`,
      details: { endpointId, deliveryId, eventId: delivery.eventId },
    });
    return ok(
      { deliveryId },
      `Resending ${delivery.eventType} with the same id (${delivery.eventId}), so your receiver can tell it is the same event.`,
    );
  },
);
