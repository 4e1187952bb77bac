import { rollbackConfig } from '@/lib/actions/rollback-config';
import { defineApiRoute, jsonResponse } from '@/lib/api/define-route';
import { versionEtag } from '@/lib/api/etag';
import { operations } from '@/lib/api/operations';
import { baseVersionOrProblem, writeProblem } from '@/lib/api/write-response';
import { reviewRollback } from '@/lib/versions/roll-back-to-version';

export const dynamic = 'force-dynamic';

/** Which secrets a rollback would change, by name: the review the dashboard's dialog shows. */
export const GET = defineApiRoute(operations.reviewRollback, ({ principal, params, query }) =>
  reviewRollback(principal, { appId: params.appId, toVersion: query.toVersion }),
);

/** The history page's rollback, over HTTP: the same action; If-Match names the current version. */
export const POST = defineApiRoute(
  operations.rollbackConfig,
  async ({ principal, params, body, request, meta }) => {
    const baseVersion = baseVersionOrProblem(request);
    if (baseVersion instanceof Response) return baseVersion;

    const result = await rollbackConfig.run(
      principal,
      {
        appId: params.appId,
        toVersion: body.toVersion,
        baseVersion,
        note: body.note ?? '',
        secrets: body.secrets,
      },
      meta,
    );
    if (result.status === 'ok') {
      const { appId, version } = result.data;
      return jsonResponse(
        operations.rollbackConfig.success.schema,
        { ...result.data, changed: true },
        {
          status: 201,
          headers: {
            etag: versionEtag(version),
            location: `/api/apps/${appId}/versions/${version}`,
          },
        },
      );
    }
    if (result.status === 'idle') throw new Error('rollbackConfig answered idle');
    return writeProblem(result, ['toVersion', 'note', 'secrets'], null);
  },
);
