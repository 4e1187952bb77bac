import type { Metadata } from 'next';
import Link from 'next/link';
import { AppsTable } from '@/components/apps/apps-table';
import { AppsToolbar } from '@/components/apps/apps-toolbar';
import { Pager } from '@/components/ui/pager';
import { buttonClasses } from '@/components/ui/button';
import { Card, EmptyState } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';
import { searchAppsPage } from '@/lib/db/apps';
import { appsListQuerySchema, appsListHref, type AppsListQuery } from '@/lib/schemas/apps-list';
import { firstValues, type SearchParams } from '@/lib/search-params';

export const metadata: Metadata = { title: 'Apps' };

export default async function AppsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePageUser();
  // A broken link falls back to the first page of active apps rather than an error page.
  const parsed = appsListQuerySchema.safeParse(firstValues(await searchParams));
  const query: AppsListQuery = parsed.success ? parsed.data : appsListQuerySchema.parse({});
  const archived = query.status === 'archived';
  const [list, other] = await Promise.all([
    searchAppsPage(user, { archived, query: query.q, sort: query.sort, page: query.page }),
    // Only the count of the other list, for its tab.
    searchAppsPage(user, { archived: !archived, query: query.q, pageSize: 1 }),
  ]);
  const manages = can(user, 'apps:manage') && user.tenantId !== null;
  const counts = {
    active: archived ? other.total : list.total,
    archived: archived ? list.total : other.total,
  };

  return (
    <>
      <PageHeader
        title="Apps"
        description={
          user.tenantId
            ? 'Each app’s sign-in configuration. Open an app to see where its latest version has reached, edit it, or look back through its history.'
            : 'Every tenant’s apps. Support can read configuration and history but not edit it.'
        }
        actions={
          manages ? (
            <Link href="/apps/new" className={buttonClasses('primary')}>
              New app
            </Link>
          ) : undefined
        }
      />
      <Card>
        <AppsToolbar query={query} counts={counts} />
        {list.apps.length === 0 ? (
          <EmptyState
            title={
              query.q
                ? `No ${archived ? 'archived ' : ''}app matches “${query.q}”`
                : archived
                  ? 'No archived apps'
                  : 'No apps yet'
            }
          >
            {query.q ? (
              <Link
                href={appsListHref({ ...query, q: '', page: 1 })}
                className="text-brand-700 underline"
              >
                Clear the search
              </Link>
            ) : archived ? (
              'Archived apps appear here. Their history is kept and they can be restored.'
            ) : manages ? (
              <>
                Create your first app from the template or as a copy:{' '}
                <Link href="/apps/new" className="text-brand-700 underline">
                  New app
                </Link>
                .
              </>
            ) : user.tenantId ? (
              'Your organisation has no apps yet. An admin of your organisation can create them.'
            ) : (
              'No tenant has an app yet.'
            )}
          </EmptyState>
        ) : (
          <>
            <AppsTable apps={list.apps} showTenant={user.tenantId === null} archived={archived} />
            <Pager
              page={list.page}
              pageCount={list.pageCount}
              total={list.total}
              noun={archived ? 'archived app' : 'app'}
              href={(page) => appsListHref({ ...query, page })}
            />
          </>
        )}
      </Card>
    </>
  );
}
