import { z } from 'zod';
import { appIdSchema } from '@/lib/schemas/app';

/**
 * Event notifications (Propagate's own webhooks, not the ones inside a CIAM config): the event
 * types, the endpoint forms, and the bodies Propagate sends, which the OpenAPI document lists
 * under `webhooks`.
 */

export const webhookEventTypes = [
  'config.saved',
  'config.rolled_back',
  'config.pushed',
  'config.converged',
  'region.lagging',
  'region.recovered',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const webhookEventLabels: Record<WebhookEventType, string> = {
  'config.saved': 'Configuration saved',
  'config.rolled_back': 'Configuration rolled back',
  'config.pushed': 'Pushed to the primary cache',
  'config.converged': 'In every region and on every server',
  'region.lagging': 'A region is lagging',
  'region.recovered': 'A region recovered',
};

export const webhookEventDescriptions: Record<WebhookEventType, string> = {
  'config.saved':
    'A new version was saved: from the dashboard, the API or the CLI, a new app’s first version, or a restore.',
  'config.rolled_back': 'A new version was saved that restores an older one.',
  'config.pushed': 'The primary cache took the version; replication carries it to the regions.',
  'config.converged':
    'Every region serves the version and every server that reports has applied it. Sent once per version.',
  'region.lagging': 'A region has not received the current version within the lag budget.',
  'region.recovered': 'A region that was lagging serves the current version again.',
};

export const webhookEndpointIdSchema = z
  .string({ error: 'Choose an endpoint' })
  .regex(/^whe_[a-f0-9]{24}$/, { error: 'That endpoint does not exist.' });

export const webhookDeliveryIdSchema = z
  .string({ error: 'Choose a delivery' })
  .regex(/^whd_[a-f0-9]{24}$/, { error: 'That delivery does not exist.' });

/**
 * The URL as typed. Where it may point (https, public addresses) depends on the deployment and
 * on DNS, so the action checks that with lib/webhooks/url-guard after this.
 */
export const webhookUrlSchema = z
  .string({ error: 'Enter the endpoint’s URL' })
  .trim()
  .min(1, { error: 'Enter the endpoint’s URL' })
  .max(2_000, { error: 'Keep the URL under 2 000 characters' })
  .refine((v) => URL.canParse(v), {
    error: 'Enter a full URL, like https://hooks.example.com/propagate',
  })
  .refine((v) => ['https:', 'http:'].includes(new URL(v).protocol), {
    error: 'Use an https:// URL',
  })
  .refine((v) => !new URL(v).username && !new URL(v).password, {
    error: 'Leave credentials out of the URL; verify the signature instead',
  });

/** Checkbox lists arrive as one value or several; an unticked list does not arrive at all. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v): unknown[] =>
      v === undefined || v === null ? [] : Array.isArray(v) ? (v as unknown[]) : [v],
    z.array(item),
  );

export const createWebhookEndpointSchema = z.strictObject({
  url: webhookUrlSchema,
  description: z
    .string()
    .trim()
    .max(200, { error: 'Keep the description under 200 characters' })
    .refine((v) => !/\p{Cc}/u.test(v), { error: 'Use letters, digits and punctuation only' })
    .default(''),
  eventTypes: list(z.enum(webhookEventTypes, { error: 'Choose events from the list' }))
    .refine((v) => v.length > 0, { error: 'Choose at least one event' })
    .transform((v) => webhookEventTypes.filter((t) => v.includes(t))),
  /** Empty: every app of the account, including apps created later. */
  appIds: list(appIdSchema)
    .refine((v) => v.length <= 100, { error: 'Choose at most 100 apps, or all of them' })
    .transform((v) => [...new Set(v)].sort()),
});
export type CreateWebhookEndpointInput = z.output<typeof createWebhookEndpointSchema>;

export const webhookEndpointRefSchema = z.strictObject({ endpointId: webhookEndpointIdSchema });

export const setWebhookEndpointEnabledSchema = z.strictObject({
  endpointId: webhookEndpointIdSchema,
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true'),
});

export const resendWebhookDeliverySchema = z.strictObject({
  endpointId: webhookEndpointIdSchema,
  deliveryId: webhookDeliveryIdSchema,
});

export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

// ───────────────────────────────────── What Propagate sends ─────────────────────────────────────

const at = z.iso.datetime({ offset: true });
const author = z.object({ name: z.string(), email: z.string().nullable() });

const versionData = {
  tenantId: z.string(),
  appId: appIdSchema,
  version: z.number().int().min(1),
  committedAt: at,
};

export const webhookEventDataSchemas = {
  'config.saved': z
    .object({ ...versionData, author, message: z.string() })
    .meta({ id: 'ConfigSavedEvent', description: webhookEventDescriptions['config.saved'] }),
  'config.rolled_back': z
    .object({
      ...versionData,
      author,
      message: z.string(),
      rollbackOf: z.number().int().meta({ description: 'The version whose config it restores.' }),
    })
    .meta({
      id: 'ConfigRolledBackEvent',
      description: webhookEventDescriptions['config.rolled_back'],
    }),
  'config.pushed': z
    .object({ ...versionData, pushedAt: at })
    .meta({ id: 'ConfigPushedEvent', description: webhookEventDescriptions['config.pushed'] }),
  'config.converged': z
    .object({
      ...versionData,
      convergedAt: at,
      regions: z.array(
        z.object({
          name: z.string(),
          arrivedAt: at.nullable(),
          timeToArriveMs: z.number().nullable(),
        }),
      ),
      servers: z.object({
        live: z.number().int().meta({ description: 'Servers reporting for the app.' }),
        onVersion: z.number().int(),
      }),
    })
    .meta({
      id: 'ConfigConvergedEvent',
      description: webhookEventDescriptions['config.converged'],
    }),
  'region.lagging': z
    .object({
      ...versionData,
      region: z.string(),
      state: z.string().meta({ description: 'lagging, replication_down or unreachable.' }),
      regionVersion: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'The version the region serves (null: none, or not known).' }),
      behindMs: z.number().int(),
    })
    .meta({ id: 'RegionLaggingEvent', description: webhookEventDescriptions['region.lagging'] }),
  'region.recovered': z.object({ ...versionData, region: z.string(), laggingSince: at }).meta({
    id: 'RegionRecoveredEvent',
    description: webhookEventDescriptions['region.recovered'],
  }),
} satisfies Record<WebhookEventType, z.ZodType>;

export type WebhookEventData<T extends WebhookEventType> = z.input<
  (typeof webhookEventDataSchemas)[T]
>;

/** The body of every notification: the Standard Webhooks shape. */
export function webhookPayloadSchema<T extends WebhookEventType>(type: T) {
  return z.object({
    type: z.literal(type),
    timestamp: at.meta({ description: 'When the event happened.' }),
    data: webhookEventDataSchemas[type],
  });
}
