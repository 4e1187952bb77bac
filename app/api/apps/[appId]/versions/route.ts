import { defineApiRoute } from '@/lib/api/define-route';
import { operations } from '@/lib/api/operations';
import { nextPageUrl } from '@/lib/api/paging';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { listHistory } from '@/lib/db/config-versions';
import { fingerprint } from '@/lib/fingerprint';
import { parseHistorySearch } from '@/lib/schemas/history';

export const dynamic = 'force-dynamic';

export const GET = defineApiRoute(
  operations.listVersions,
  async ({ principal, params, query, request }) => {
    const app = await getAppForPrincipalOrThrow(principal, params.appId);
    // One more than asked tells whether an older page exists without a count.
    const versions = await listHistory(app._id, {
      limit: query.limit + 1,
      before: query.before,
      search: parseHistorySearch(query.q),
    });
    const items = versions.slice(0, query.limit);
    const last = items.at(-1);
    const next =
      versions.length > query.limit && last
        ? nextPageUrl(request, { before: String(last.version) })
        : null;
    return { items: items.map((v) => ({ ...v, checksum: fingerprint(v.checksum) })), next };
  },
);
