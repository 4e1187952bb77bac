import { z } from 'zod';

/**
 * App and tenant identifiers. They appear in URLs, cache keys (`propagate:cfg:{appId}`) and
 * MongoDB filters, so they are checked before any of those is built: lower-case letters, digits
 * and dashes only, which also rules out operator keys and key-pattern tricks.
 */
export const APP_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const appIdSchema = z
  .string({ error: 'Choose an app' })
  .regex(APP_ID_PATTERN, { error: 'App ids are 2–63 lower-case letters, digits and dashes' });

export const tenantIdSchema = z
  .string({ error: 'Choose a tenant' })
  .regex(APP_ID_PATTERN, { error: 'Tenant ids are 2–63 lower-case letters, digits and dashes' });

/** A version number as it arrives from a form, a URL or JSON. */
export const versionSchema = z.coerce
  .number({ error: 'Enter a version number' })
  .int({ error: 'Enter a whole version number' })
  .min(1, { error: 'Versions start at 1' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'That version does not exist' });

/** The version an edit started from: 0 only for an app that has no configuration yet. */
export const baseVersionSchema = z
  .number({ error: 'The version you started from is missing; reload the page' })
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER);

export const changeMessageSchema = z
  .string({ error: 'Enter text' })
  .trim()
  .max(500, { error: 'Keep the change message under 500 characters' })
  // Same rule as every config value: nothing that could read as a MongoDB operator.
  .refine((v) => !v.startsWith('$'), { error: 'Messages can’t start with “$”' })
  .default('');

export const appNameSchema = z.string().trim().min(1, { error: 'Enter a name' }).max(100);
export const appDescriptionSchema = z.string().trim().max(500).default('');

/** A new app's id, with the rules spelled out: it names the cache key every service reads. */
export const newAppIdSchema = z
  .string({ error: 'Enter an app id' })
  .trim()
  .min(1, { error: 'Enter an app id' })
  .regex(APP_ID_PATTERN, {
    error:
      'Use 2–63 characters: lower-case letters, digits and dashes, starting with a letter or digit',
  });

export const appDetailsSchema = z.strictObject({
  appId: appIdSchema,
  name: appNameSchema,
  description: appDescriptionSchema,
});

export const createAppSchema = z.strictObject({
  id: newAppIdSchema,
  name: appNameSchema,
  description: appDescriptionSchema,
  /** Empty: start from the template. Otherwise the app whose configuration is copied. */
  copyFrom: z.union([z.literal(''), appIdSchema]).default(''),
  /** The new app's own secrets when copying, by slot path (lib/secrets.ts `secretSlots`). */
  secrets: z.record(z.string().max(200), z.string().max(2000)).default({}),
});

/** Archive and restore: from the version the person saw, with an optional reason. */
export const archiveAppSchema = z.strictObject({
  appId: appIdSchema,
  baseVersion: z.coerce
    .number({ error: 'The version you started from is missing; reload the page' })
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER),
  reason: changeMessageSchema,
});
