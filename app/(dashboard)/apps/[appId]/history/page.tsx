import type { Metadata } from 'next';
import Link from 'next/link';
import { ChangeTable } from '@/components/config-diff/change-table';
import { CompareForm } from '@/components/history/compare-form';
import { HistoryTable } from '@/components/history/history-table';
import { buttonClasses } from '@/components/ui/button';
import { SearchForm } from '@/components/ui/search-form';
import { Card, CardBody, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { can } from '@/lib/auth/principal';
import { diffConfigs } from '@/lib/config-diff';
import { getVersion, listHistory } from '@/lib/db/config-versions';
import {
  historyHref,
  historyPageQuerySchema,
  parseHistorySearch,
  type HistoryPageQuery,
} from '@/lib/schemas/history';
import { loadApp } from '../load-app';

const PAGE_SIZE = 25;

type Props = {
  params: Promise<{ appId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { app } = await loadApp((await params).appId);
  return { title: `History · ${app.name}` };
}

async function Comparison({ appId, from, to }: { appId: string; from: number; to: number }) {
  const [a, b] = await Promise.all([getVersion(appId, from), getVersion(appId, to)]);
  const missing = [a ? null : from, b ? null : to].filter((v) => v !== null);
  return (
    <Card>
      <CardHeader
        title={`Differences from v${from} to v${to}`}
        description="Secrets that changed are listed without their values."
      />
      {!a || !b ? (
        <ErrorState title="Can’t compare these versions">
          {missing.map((v) => `v${v}`).join(' and ')} {missing.length === 1 ? 'does' : 'do'} not
          exist for this app.
        </ErrorState>
      ) : (
        <ChangeTable
          changes={diffConfigs(a.data, b.data)}
          caption={`Changes from v${from} to v${to}`}
          emptyTitle="These versions are identical"
        />
      )}
    </Card>
  );
}

function PageLink({ href, label, rel }: { href: string; label: string; rel?: 'prev' | 'next' }) {
  return (
    <Link href={href} className={buttonClasses('secondary', 'sm')} rel={rel}>
      {label}
    </Link>
  );
}

export default async function HistoryPage({ params, searchParams }: Props) {
  const { principal, app, head } = await loadApp((await params).appId);
  const query = historyPageQuerySchema.parse(await searchParams);
  const { q, before, after, from, to } = query;
  const headVersion = head?.version ?? 0;
  const search = parseHistorySearch(q);
  // One more than a page tells whether there is another page in that direction.
  const found = await listHistory(app._id, { limit: PAGE_SIZE + 1, before, after, search });
  const more = found.length > PAGE_SIZE;
  const versions =
    after !== undefined && before === undefined
      ? found.slice(-PAGE_SIZE)
      : found.slice(0, PAGE_SIZE);
  const newest = versions[0]?.version;
  const oldest = versions.at(-1)?.version;
  const paged = before !== undefined || after !== undefined;
  const hasOlder =
    after !== undefined && before === undefined ? oldest !== undefined && oldest > 1 : more;
  const hasNewer = after !== undefined && before === undefined ? more : before !== undefined;
  const href = (part: Partial<HistoryPageQuery>) => historyHref(app._id, { q, from, to, ...part });

  return (
    <div className="space-y-6">
      {from !== undefined && to !== undefined && <Comparison appId={app._id} from={from} to={to} />}
      <Card>
        <CardHeader
          title="Versions"
          description={`${headVersion} saved version${headVersion === 1 ? '' : 's'}, newest first. A rollback adds a new version; nothing is ever deleted.`}
        />
        {headVersion > 1 && (
          <CardBody className="border-b border-slate-200">
            <CompareForm
              appId={app._id}
              action={historyHref(app._id, {})}
              from={from ?? headVersion - 1}
              to={to ?? headVersion}
            />
          </CardBody>
        )}
        <CardBody className="border-b border-slate-200">
          <SearchForm
            id="history-q"
            action={historyHref(app._id, {})}
            label="Find versions"
            hint="A version number, or words from a message or an author"
            defaultValue={q ?? ''}
          />
        </CardBody>
        {versions.length === 0 ? (
          <EmptyState title={search ? `No version matches “${q}”` : 'No versions here'}>
            {search || paged ? (
              <Link href={historyHref(app._id, {})} className="text-brand-700 underline">
                {search ? 'Clear the search' : 'Back to the newest versions'}
              </Link>
            ) : null}
          </EmptyState>
        ) : (
          <HistoryTable
            appId={app._id}
            versions={versions}
            headVersion={headVersion}
            canRollback={can(principal, 'config:edit') && !app.archivedAt}
          />
        )}
        {(hasOlder || hasNewer) && newest !== undefined && oldest !== undefined && (
          <nav
            aria-label="Pages of versions"
            className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-5 py-3 text-sm text-slate-600"
          >
            <p>
              v{newest}
              {oldest !== newest && <>–v{oldest}</>}
              {search ? ' of the matching versions' : ` of ${headVersion}`}
            </p>
            <div className="flex gap-2">
              {hasNewer && <PageLink href={href({})} label="Newest" />}
              {hasNewer && (
                <PageLink href={href({ after: newest })} label="Newer versions" rel="prev" />
              )}
              {hasOlder && (
                <PageLink href={href({ before: oldest })} label="Older versions" rel="next" />
              )}
            </div>
          </nav>
        )}
      </Card>
    </div>
  );
}
