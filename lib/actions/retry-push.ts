'use server';

import { defineAction } from '@/lib/actions/define-action';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { readHead } from '@/lib/db/heads';
import { pushVersion } from '@/lib/propagation/push-version';
import { formInvalid, ok } from '@/lib/results';
import { retryPushSchema } from '@/lib/schemas/propagation';
import { log } from '@/lib/log';

/**
 * Support's "retry push now": push the app's head to the primary at once instead of waiting for
 * the worker's backoff. Compare-and-set, so it can never replace a newer version; pushing the
 * head also clears the older versions waiting in the outbox.
 */
export const retryPush = defineAction(
  { name: 'retryPush', permission: 'push:retry', schema: retryPushSchema },
  async ({ appId }, { principal, audit }) => {
    const app = await getAppForPrincipalOrThrow(principal, appId);
    const head = await readHead(app._id);
    if (!head) return formInvalid('This app has no configuration to push.');
    const result = await pushVersion(head);
    await audit({
      action: 'push.retried',
      tenantId: app.tenantId,
      appId: app._id,
      summary: `Retried the push of v${head.version}: ${result.pushed ? 'the primary cache has it' : 'the primary cache did not answer'}`,
      details: { version: head.version, pushed: result.pushed },
    });
    if (!result.pushed) {
      // The driver's message stays in the server log and the outbox; the person gets what to expect.
      log.error(
        { appId: app._id, version: head.version, error: result.error },
        'retried push failed',
      );
      return {
        status: 'error',
        code: 'internal',
        message: `The primary cache did not take v${head.version} (it did not answer). The worker keeps retrying on its own.`,
      };
    }
    return ok(
      { appId: app._id, version: head.version },
      `v${head.version} is in the primary cache; the regions follow within moments.`,
    );
  },
);
