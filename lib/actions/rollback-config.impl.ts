import 'server-only';
import { z } from 'zod';
import { conflictResult, type ConfigConflict } from '@/lib/actions/config-conflict';
import { defineAction, type ActionResult } from '@/lib/actions/define-action';
import { finishCommit } from '@/lib/actions/finish-commit';
import { diffConfigs } from '@/lib/config-diff';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { authorFromPrincipal, commitVersion, getHead, getVersion } from '@/lib/db/config-versions';
import { NotFoundError } from '@/lib/errors';
import {
  appIdSchema,
  baseVersionSchema,
  changeMessageSchema,
  versionSchema,
} from '@/lib/schemas/app';

export const rollbackConfigSchema = z.strictObject({
  appId: appIdSchema,
  toVersion: versionSchema,
  baseVersion: baseVersionSchema,
  note: changeMessageSchema,
});

export type RollbackConfigInput = z.input<typeof rollbackConfigSchema>;
export interface RolledBack {
  appId: string;
  version: number;
  toVersion: number;
  pushed: boolean;
}
export type RollbackConfigResult = ActionResult<RolledBack, ConfigConflict>;

/**
 * History is append-only: a rollback is a new version whose data equals an older one. Like a
 * save it must start from the current head, so two admins cannot undo each other unknowingly.
 */
export const rollbackConfigAction = defineAction(
  { name: 'rollbackConfig', permission: 'config:edit', schema: rollbackConfigSchema },
  async (
    { appId, toVersion, baseVersion, note },
    { principal, meta },
  ): Promise<RollbackConfigResult> => {
    const app = await getAppForPrincipalOrThrow(principal, appId);
    const target = await getVersion(app._id, toVersion);
    if (!target) throw new NotFoundError(`Version ${toVersion} of this app does not exist.`);

    const head = await getHead(app._id);
    if (head && head.version !== baseVersion) {
      return conflictResult({ app, baseVersion, head, yours: target.data });
    }
    if (head && head.checksum === target.checksum) {
      const message = `v${toVersion} is identical to the current version (v${head.version}); there is nothing to roll back.`;
      return { status: 'invalid', fieldErrors: { _form: [message] }, message };
    }

    const outcome = await commitVersion({
      app,
      expectedVersion: baseVersion,
      data: target.data,
      author: authorFromPrincipal(principal),
      message: note ? `Rolled back to v${toVersion}: ${note}` : `Rolled back to v${toVersion}`,
      rollbackOf: toVersion,
    });
    if (outcome.status === 'conflict') {
      if (!outcome.head) throw new Error(`rollbackConfig: conflict on ${app._id} without a head`);
      return conflictResult({ app, baseVersion, head: outcome.head, yours: target.data });
    }

    const changes = head ? diffConfigs(head.data, outcome.doc.data) : [];
    const pushed = await finishCommit({
      doc: outcome.doc,
      principal,
      meta,
      audit: {
        action: 'config.rolled_back',
        changes,
        summary: `rolled back to v${toVersion} (${changes.length} change${changes.length === 1 ? '' : 's'})`,
        details: { rollbackOf: toVersion },
      },
    });
    const version = outcome.doc.version;
    return {
      status: 'ok',
      data: { appId: app._id, version, toVersion, pushed },
      message: pushed
        ? `Rolled back to v${toVersion} as v${version}`
        : `Rolled back to v${toVersion} as v${version} — cache push pending; it will be retried automatically`,
    };
  },
);
