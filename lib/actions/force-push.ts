'use server';

import { defineAction } from '@/lib/actions/define-action';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { readHead } from '@/lib/db/heads';
import { log } from '@/lib/log';
import { pushVersion } from '@/lib/propagation/push-version';
import { formInvalid, ok } from '@/lib/results';
import { forcePushSchema } from '@/lib/schemas/propagation';

/**
 * Support's answer to a diverged head: the primary holds the same version with another checksum
 * (say, after MongoDB was restored from a backup), so the compare-and-set refuses the push and
 * the worker leaves it. This overwrites that same version with MongoDB's; the script still never
 * lets an older version replace a newer one. Only the head can be forced: an older version would
 * undo it. Audited whatever the outcome.
 */
export const forcePush = defineAction(
  { name: 'forcePush', permission: 'push:force', schema: forcePushSchema },
  async ({ appId, version }, { principal, audit }) => {
    const app = await getAppForPrincipalOrThrow(principal, appId);
    const head = await readHead(app._id);
    if (!head) return formInvalid('This app has no configuration to push.');
    if (head.version !== version) {
      return formInvalid(
        `v${version} is not the newest version (v${head.version} is); only the newest can be re-pushed.`,
      );
    }
    const result = await pushVersion(head, { overwriteSameVersion: true });
    const outcome = result.pushed
      ? 'the primary cache now holds MongoDB’s copy'
      : 'newerInCache' in result
        ? `refused: the primary cache holds v${result.newerInCache}, which is newer`
        : 'the primary cache did not answer';
    await audit({
      action: 'push.forced',
      tenantId: app.tenantId,
      appId: app._id,
      summary: `Forced the push of v${version} over the cache’s copy: ${outcome}`,
      details: { version, pushed: result.pushed },
    });
    if (result.pushed) {
      return ok(
        { appId: app._id, version, pushedAt: result.pushedAt },
        `v${version} in the primary cache is MongoDB’s again; the regions follow within moments.`,
      );
    }
    if ('newerInCache' in result) {
      return formInvalid(
        `The primary cache holds v${result.newerInCache}, newer than v${version}; an older version never replaces a newer one.`,
      );
    }
    log.error({ appId: app._id, version, error: result.error }, 'forced push failed');
    return {
      status: 'error',
      code: 'internal',
      message: `The primary cache did not take v${version} (it did not answer). Nothing was overwritten; try again.`,
    };
  },
);
