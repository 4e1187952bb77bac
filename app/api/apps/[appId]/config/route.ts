import { saveConfig } from '@/lib/actions/save-config';
import { defineApiRoute, jsonResponse } from '@/lib/api/define-route';
import { matchesIfNoneMatch, versionEtag } from '@/lib/api/etag';
import { operations } from '@/lib/api/operations';
import { baseVersionOrProblem, writeProblem } from '@/lib/api/write-response';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { getVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { NotFoundError } from '@/lib/errors';
import { fingerprint } from '@/lib/fingerprint';
import { savedConfigSchema } from '@/lib/schemas/api';
import { maskSecrets } from '@/lib/secrets';

export const dynamic = 'force-dynamic';

export const GET = defineApiRoute(operations.getConfig, async ({ principal, params, request }) => {
  const app = await getAppForPrincipalOrThrow(principal, params.appId);
  const head = await readHead(app._id);
  if (!head) throw new NotFoundError('This app has no configuration yet.');
  const etag = versionEtag(head.version);
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers: { etag, 'cache-control': 'no-store' } });
  }
  return jsonResponse(
    operations.getConfig.success.schema,
    {
      ...head,
      checksum: fingerprint(head.checksum),
      appId: app._id,
      config: maskSecrets(head.data),
    },
    { headers: { etag } },
  );
});

/**
 * The dashboard editor's save, over HTTP: the same action (validation, tenant and role checks,
 * conflict rules, secret merging, commit, push, audit). If-Match carries the editor's base version.
 * The dashboard's pages are dynamic, so there is no server cache to revalidate here.
 */
export const PUT = defineApiRoute(
  operations.saveConfig,
  async ({ principal, params, body, request, meta }) => {
    const baseVersion = baseVersionOrProblem(request);
    if (baseVersion instanceof Response) return baseVersion;

    const result = await saveConfig.run(
      principal,
      {
        appId: params.appId,
        baseVersion,
        config: body.config,
        message: body.message ?? '',
      },
      meta,
    );
    if (result.status === 'ok') {
      const { appId, version, pushed } = result.data;
      return jsonResponse(
        savedConfigSchema,
        { appId, version, pushed, changed: true },
        { headers: { etag: versionEtag(version) } },
      );
    }
    if (result.status === 'invalid' && result.unchanged) {
      // Pushing what is already there is a success for a pipeline: it names the current version.
      const head = await getVersion(params.appId, baseVersion);
      if (head) {
        return jsonResponse(
          savedConfigSchema,
          {
            appId: head.appId,
            version: head.version,
            pushed: head.pushedAt !== null,
            changed: false,
          },
          { headers: { etag: versionEtag(head.version) } },
        );
      }
    }
    if (result.status === 'idle') throw new Error('saveConfig answered idle');
    return writeProblem(result, ['message'], '/config');
  },
);
