import { z } from 'zod';
import { deploymentName } from '@/lib/model/deployment-spec';
import { regionStates } from '@/lib/model/region-states';
import { REGION_NAME_PATTERN } from '@/lib/contract/names';
import { appIdSchema, tenantIdSchema, versionSchema } from '@/lib/schemas/app';

/** A deploy pipeline may block this long on one request; beyond it, it should ask again. */
export const MAX_WAIT_MS = 60_000;

export const appParamsSchema = z.object({ appId: appIdSchema });

/** `?version=N&waitMs=30000`: wait until every region holds version N or newer. */
export const propagationQuerySchema = z
  .object({
    version: versionSchema.optional(),
    waitMs: z.coerce
      .number({ error: 'waitMs is a number of milliseconds' })
      .int()
      .min(0)
      .max(MAX_WAIT_MS, { error: `waitMs is at most ${MAX_WAIT_MS} (ask again to wait longer)` })
      .optional(),
  })
  .refine((q) => q.waitMs === undefined || q.version !== undefined, {
    error: 'waitMs needs the version to wait for',
    path: ['waitMs'],
  });

export const MAX_FLEET_APP_IDS = 200;

const regionNameSchema = z.string().regex(REGION_NAME_PATTERN, { error: 'Unknown region' });

export const fleetQuerySchema = z.object({
  tenant: tenantIdSchema.optional(),
  state: z.enum(regionStates, { error: 'Unknown state' }).optional(),
  region: regionNameSchema.optional(),
  deployment: deploymentName.optional(),
  /** Comma-separated app ids: just these apps (a page of the apps list asks for its rows). */
  apps: z
    .string()
    .transform((list) => list.split(',').filter(Boolean))
    .pipe(
      z.array(appIdSchema).max(MAX_FLEET_APP_IDS, { error: `At most ${MAX_FLEET_APP_IDS} apps` }),
    )
    .optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
});
export type FleetQuery = z.output<typeof fleetQuerySchema>;

export const latencyQuerySchema = z.object({
  appId: appIdSchema.optional(),
  /** How far back to look. */
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** At most this many of the newest arrivals per region. */
  limit: z.coerce.number().int().min(10).max(5_000).default(500),
});

export const retryPushSchema = z.strictObject({ appId: appIdSchema });

/** Overwriting what the cache holds must be asked for in so many words, by a person or a script. */
export const forcePushConfirmSchema = z.literal(true, {
  error: 'Confirm that the cache’s copy of this version is overwritten (confirm: true)',
});

export const forcePushSchema = z.strictObject({
  appId: appIdSchema,
  version: versionSchema,
  confirm: forcePushConfirmSchema,
});
