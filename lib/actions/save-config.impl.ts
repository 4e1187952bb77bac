import 'server-only';
import { z } from 'zod';
import { conflictResult, type ConfigConflict } from '@/lib/actions/config-conflict';
import { defineAction, type ActionResult } from '@/lib/actions/define-action';
import { finishCommit } from '@/lib/actions/finish-commit';
import { checksum } from '@/lib/canonical-json';
import { diffConfigs } from '@/lib/config-diff';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { authorFromPrincipal, commitVersion, getHead } from '@/lib/db/config-versions';
import { appIdSchema, baseVersionSchema, changeMessageSchema } from '@/lib/schemas/app';
import { parseConfigInput } from '@/lib/schemas/config';
import { mergeSecrets } from '@/lib/secrets';

export const saveConfigSchema = z.strictObject({
  appId: appIdSchema,
  baseVersion: baseVersionSchema,
  // Parsed by parseConfigInput below: it checks the size before validating, and its messages
  // are keyed by the config's own dotted paths, which is what the editor's fields use.
  config: z.unknown(),
  message: changeMessageSchema,
});

export type SaveConfigInput = z.input<typeof saveConfigSchema>;
export interface SavedConfig {
  appId: string;
  version: number;
  pushed: boolean;
}
export type SaveConfigResult = ActionResult<SavedConfig, ConfigConflict>;

/**
 * Saves an edited configuration as the app's next version. Field errors come back keyed by the
 * config's dotted paths (`urls.redirectUrls.2`); a save that started from an older version is
 * refused with what changed meanwhile. Results never carry a secret.
 */
export const saveConfigAction = defineAction(
  { name: 'saveConfig', permission: 'config:edit', schema: saveConfigSchema },
  async (
    { appId, baseVersion, config, message },
    { principal, meta },
  ): Promise<SaveConfigResult> => {
    const app = await getAppForPrincipalOrThrow(principal, appId);

    const parsed = parseConfigInput(config);
    if (!parsed.ok) {
      const fieldErrors = parsed.formError
        ? { ...parsed.fieldErrors, _form: [parsed.formError] }
        : parsed.fieldErrors;
      return {
        status: 'invalid',
        fieldErrors,
        message: parsed.formError ?? 'Some settings need your attention. Nothing was saved.',
      };
    }

    const head = await getHead(app._id);
    if (head && head.version !== baseVersion) {
      return conflictResult({ app, baseVersion, head, yours: parsed.data });
    }

    const merged = mergeSecrets(parsed.data, head?.data ?? null);
    if (!merged.ok) {
      return {
        status: 'invalid',
        fieldErrors: merged.fieldErrors,
        message: 'Some settings need your attention. Nothing was saved.',
      };
    }
    if (head && checksum(merged.data) === head.checksum) {
      return {
        status: 'invalid',
        fieldErrors: { _form: [`Nothing changed: this is the same as v${head.version}.`] },
        message: `Nothing changed: this is the same as v${head.version}.`,
      };
    }

    const outcome = await commitVersion({
      app,
      expectedVersion: baseVersion,
      data: merged.data,
      author: authorFromPrincipal(principal),
      message,
    });
    if (outcome.status === 'conflict') {
      // Lost the race after the head check: same answer as a stale editor.
      if (!outcome.head) throw new Error(`saveConfig: conflict on ${app._id} without a head`);
      return conflictResult({ app, baseVersion, head: outcome.head, yours: parsed.data });
    }

    const changes = head ? diffConfigs(head.data, outcome.doc.data) : [];
    const pushed = await finishCommit({
      doc: outcome.doc,
      principal,
      meta,
      audit: { action: 'config.saved', changes },
    });
    return {
      status: 'ok',
      data: { appId: app._id, version: outcome.doc.version, pushed },
      message: pushed
        ? `Saved as v${outcome.doc.version}`
        : `Saved as v${outcome.doc.version} — cache push pending; it will be retried automatically`,
    };
  },
);
