'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { setWebhookEndpointEnabled as setEnabled } from '@/lib/db/webhook-endpoints';
import type { ActionResult } from '@/lib/results';
import { setWebhookEndpointEnabledSchema } from '@/lib/schemas/webhooks';

export type SetWebhookEndpointEnabledResult = ActionResult<{
  endpointId: string;
  enabled: boolean;
}>;

export const setWebhookEndpointEnabled = defineAction(
  {
    name: 'setWebhookEndpointEnabled',
    permission: 'webhooks:manage',
    schema: setWebhookEndpointEnabledSchema,
    fromForm: (formData) => ({
      endpointId: formData.get('endpointId'),
      enabled: formData.get('enabled'),
    }),
    onSuccess: () => revalidatePath('/webhooks', 'layout'),
  },
  async (
    { endpointId, enabled },
    { principal, meta },
  ): Promise<SetWebhookEndpointEnabledResult> => {
    const tenantId = requireOwnTenant(principal);
    const { endpoint, changed } = await setEnabled({ tenantId, endpointId, enabled });
    if (changed) {
      await recordAudit({
        action: enabled ? 'webhook.enabled' : 'webhook.disabled',
        actor: actorOf(principal),
        tenantId,
        summary: `${enabled ? 'Enabled' : 'Disabled'} webhook endpoint ${endpoint.url}`,
        details: { endpointId, url: endpoint.url },
        meta,
      });
    }
    return {
      status: 'ok',
      data: { endpointId, enabled },
      message: enabled
        ? 'Endpoint enabled: new events are sent to it, and deliveries held while it was off resume.'
        : 'Endpoint disabled: nothing is sent to it until you enable it again; new events are not queued for it.',
    };
  },
);
