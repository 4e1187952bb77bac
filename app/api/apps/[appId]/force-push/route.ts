import { forcePush } from '@/lib/actions/force-push';
import { defineApiRoute } from '@/lib/api/define-route';
import { operations } from '@/lib/api/operations';
import { writeProblem } from '@/lib/api/write-response';

export const dynamic = 'force-dynamic';

/** Support's forced re-push of a diverged head, over HTTP: the same action, audited the same. */
export const POST = defineApiRoute(
  operations.forcePush,
  async ({ principal, params, body, meta }) => {
    const result = await forcePush.run(principal, { appId: params.appId, ...body }, meta);
    if (result.status === 'ok') return result.data;
    if (result.status === 'idle') throw new Error('forcePush answered idle');
    return writeProblem(result, ['version', 'confirm'], null);
  },
);
