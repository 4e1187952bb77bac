import { defineApiRoute } from '@/lib/api/define-route';
import { operations } from '@/lib/api/operations';
import { nextPageUrl } from '@/lib/api/paging';
import { listAppsPage } from '@/lib/db/apps';

export const dynamic = 'force-dynamic';

export const GET = defineApiRoute(operations.listApps, async ({ principal, query, request }) => {
  const { apps, hasMore } = await listAppsPage(principal, query);
  const last = apps.at(-1);
  return { items: apps, next: hasMore && last ? nextPageUrl(request, { after: last.id }) : null };
});
