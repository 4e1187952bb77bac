import { z } from 'zod';
import {
  appIdSchema,
  baseVersionSchema,
  changeMessageSchema,
  versionSchema,
} from '@/lib/schemas/app';

/** A save of an edited configuration as the app's next version (form, action and API alike). */
export const saveConfigSchema = z.strictObject({
  appId: appIdSchema,
  baseVersion: baseVersionSchema,
  // Parsed by parseConfigInput when the save runs: it checks the size before validating, and
  // its messages are keyed by the config's own dotted paths, which is what the editor uses.
  config: z.unknown(),
  message: changeMessageSchema,
});
export type SaveConfigInput = z.input<typeof saveConfigSchema>;

/**
 * What a rollback does with secrets that changed since the older version: `keep` the current
 * ones (the safe default: a secret rotated after a leak stays rotated) or `restore` the older
 * version's.
 */
export const rollbackSecretsSchema = z.enum(['keep', 'restore'], {
  error: 'Choose whether to keep the current secrets or restore the older version’s',
});
export type RollbackSecrets = z.output<typeof rollbackSecretsSchema>;

/** A rollback: a new version whose data equals `toVersion`, on top of `baseVersion`. */
export const rollbackConfigSchema = z.strictObject({
  appId: appIdSchema,
  toVersion: versionSchema,
  baseVersion: baseVersionSchema,
  note: changeMessageSchema,
  secrets: rollbackSecretsSchema.default('keep'),
});
export type RollbackConfigInput = z.input<typeof rollbackConfigSchema>;
