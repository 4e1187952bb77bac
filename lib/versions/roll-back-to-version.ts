import 'server-only';
import type { z } from 'zod';
import { getVersion } from '@/lib/db/config-versions';
import { NotFoundError } from '@/lib/errors';
import type { ActionResult } from '@/lib/results';
import type { rollbackConfigSchema } from '@/lib/schemas/versions';
import {
  commitNextVersion,
  type CommittedVersion,
  type VersionRequest,
} from '@/lib/versions/commit-next-version';
import type { ConfigConflict } from '@/lib/versions/conflict';

export type RolledBack = CommittedVersion & { toVersion: number };
export type RollbackConfigResult = ActionResult<RolledBack, ConfigConflict>;

/**
 * History is append-only: a rollback is a new version whose data equals an older one. Like a
 * save it must start from the current head, so two admins cannot undo each other unknowingly.
 */
export async function rollBackToVersion(
  request: VersionRequest<z.output<typeof rollbackConfigSchema>>,
): Promise<RollbackConfigResult> {
  const { toVersion, note } = request.input;
  const result = await commitNextVersion({
    ...request,
    propose: async (app) => {
      const target = await getVersion(app._id, toVersion);
      if (!target) throw new NotFoundError(`Version ${toVersion} of this app does not exist.`);
      return {
        yours: target.data,
        resolve: () => ({ data: target.data }),
        sameAsHead: (v) =>
          `v${toVersion} is identical to the current version (v${v}); there is nothing to roll back.`,
        message: note ? `Rolled back to v${toVersion}: ${note}` : `Rolled back to v${toVersion}`,
        rollbackOf: toVersion,
        audit: {
          action: 'config.rolled_back',
          summary: (changes) =>
            `rolled back to v${toVersion} (${changes.length} change${changes.length === 1 ? '' : 's'})`,
          details: { rollbackOf: toVersion },
        },
        done: (version) => `Rolled back to v${toVersion} as v${version}`,
      };
    },
  });
  return result.status === 'ok' ? { ...result, data: { ...result.data, toVersion } } : result;
}
