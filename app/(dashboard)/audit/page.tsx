import type { Metadata } from 'next';
import Link from 'next/link';
import { AuditFilters } from '@/components/audit/audit-filters';
import { AuditTable } from '@/components/audit/audit-table';
import { NotPermitted } from '@/components/shell/not-permitted';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardBody, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';
import { auditFilterOptions, listAuditForPrincipal } from '@/lib/db/audit';
import { auditCursor, auditFilterSchema, type AuditFilters as Filters } from '@/lib/schemas/audit';
import { flattenIssues } from '@/lib/schemas/issues';
import { firstValues, type SearchParams } from '@/lib/search-params';

export const metadata: Metadata = { title: 'Audit log' };

const PAGE_SIZE = 100;

/** The same filters, from the newest entry or from just before `before`. */
function pageLink(filters: Filters, before?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, before })) {
    if (typeof value === 'string' && value) params.set(key, value);
  }
  return `/audit?${params.toString()}`;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePageUser();
  if (!can(user, 'audit:read')) {
    return (
      <NotPermitted title="Audit log">
        Admins see their account’s audit log; ask one of them if you need an entry.
      </NotPermitted>
    );
  }
  const raw = firstValues(await searchParams);
  const parsed = auditFilterSchema.safeParse(raw);
  const found = parsed.success
    ? await listAuditForPrincipal(user, parsed.data, PAGE_SIZE + 1)
    : null;
  const entries = found?.slice(0, PAGE_SIZE) ?? [];
  const options = await auditFilterOptions(user, entries, parsed.success ? parsed.data : {});
  const last = entries.at(-1);
  const hasOlder = !!found && found.length > PAGE_SIZE && !!last;
  const filtered = parsed.success && Object.values(parsed.data).some((v) => v !== undefined);

  return (
    <>
      <PageHeader
        title="Audit log"
        description={
          user.tenantId
            ? 'Every configuration change, rollback, push retry, API token change and sign-in in your account: who, when, from where. Entries cannot be edited or deleted.'
            : 'Every configuration change, rollback, push retry, API token change and sign-in across all accounts. Entries cannot be edited or deleted.'
        }
      />
      <div className="space-y-6">
        <Card>
          <CardBody>
            <AuditFilters
              values={raw}
              errors={parsed.success ? {} : flattenIssues(parsed.error.issues)}
              apps={options.apps}
              actors={options.actors}
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Entries"
            description={
              parsed.success
                ? `Newest first${parsed.data.before ? ', older page' : ''} · ${entries.length}${hasOlder ? '+' : ''} shown`
                : undefined
            }
          />
          {!parsed.success && (
            <ErrorState title="Check the filters">
              Some filters could not be used; fix the highlighted fields and apply them again.
            </ErrorState>
          )}
          {parsed.success && entries.length === 0 && (
            <EmptyState
              title={filtered ? 'No entries match these filters' : 'Nothing recorded yet'}
            >
              {filtered
                ? 'Widen the time range or clear a filter.'
                : 'Sign-ins, saves, rollbacks and token changes appear here as they happen.'}
            </EmptyState>
          )}
          {entries.length > 0 && (
            <AuditTable entries={entries} showTenant={!user.tenantId} apps={options.apps} />
          )}
          {parsed.success && (hasOlder || parsed.data.before) && (
            <nav
              aria-label="Audit log pages"
              className="flex justify-between border-t border-slate-200 px-5 py-3"
            >
              {parsed.data.before ? (
                <Link href={pageLink(parsed.data)} className={buttonClasses('secondary', 'sm')}>
                  Newest entries
                </Link>
              ) : (
                <span />
              )}
              {hasOlder && last && (
                <Link
                  href={pageLink(parsed.data, auditCursor({ at: last.at, _id: String(last._id) }))}
                  className={buttonClasses('secondary', 'sm')}
                >
                  Older entries
                </Link>
              )}
            </nav>
          )}
        </Card>
      </div>
    </>
  );
}
