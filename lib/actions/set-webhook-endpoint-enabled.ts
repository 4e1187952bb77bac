'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { setWebhookEndpointEnabled as setEnabled } from '@/lib/db/webhook-endpoints';
import { ok } from '@/lib/results';
import { setWebhookEndpointEnabledSchema } from '@/lib/schemas/webhooks';

export const setWebhookEndpointEnabled = defineAction(
  {
    name: 'setWebhookEndpointEnabled',
    permission: 'webhooks:manage',
    schema: setWebhookEndpointEnabledSchema,
    fromForm: formFields('endpointId', 'enabled'),
    onSuccess: () => revalidatePath('/webhooks', 'layout'),
  },
  async ({ endpointId, enabled }, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    const { endpoint, changed } = await setEnabled({ tenantId, endpointId, enabled });
    if (changed) {
      await audit({
        action: enabled ? 'webhook.enabled' : 'webhook.disabled',
        tenantId,
        summary: `${enabled ? 'Enabled' : 'Disabled'} webhook endpoint ${endpoint.url}`,
        details: { endpointId, url: endpoint.url },
      });
    }
    return ok(
      { endpointId, enabled },
      enabled
        ? 'Endpoint enabled: new events are sent to it, and deliveries held while it was off resume.'
        : 'Endpoint disabled: nothing is sent to it until you enable it again; new events are not queued for it.',
    );
  },
);
