import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { choicesOf, Input, Options, Select } from '@/components/ui/field';
import { tabClasses } from '@/components/ui/tab-classes';
import {
  APP_SORTS,
  appSortLabels,
  appsListHref,
  type AppsListQuery,
} from '@/lib/schemas/apps-list';

/**
 * Active / archived tabs, search and sort for the apps list. A plain GET form: the list is
 * searched, sorted and paged on the server, and every state is a link that can be shared.
 */
export function AppsToolbar({
  query,
  counts,
}: {
  query: AppsListQuery;
  counts: { active: number; archived: number };
}) {
  const tabs = [
    { status: 'active', label: 'Active', count: counts.active },
    { status: 'archived', label: 'Archived', count: counts.archived },
  ] as const;
  return (
    <div className="flex flex-wrap items-end justify-between gap-4 border-b border-slate-200 px-5 pt-4">
      <nav aria-label="Apps by status" className="-mb-px flex gap-6">
        {tabs.map((tab) => {
          const current = query.status === tab.status;
          return (
            <Link
              key={tab.status}
              href={appsListHref({ ...query, status: tab.status, page: 1 })}
              aria-current={current ? 'page' : undefined}
              className={tabClasses(current)}
            >
              {tab.label}{' '}
              <span className="ml-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">
                {tab.count}
              </span>
            </Link>
          );
        })}
      </nav>
      <form role="search" action="/apps" className="mb-3 flex flex-wrap items-end gap-2">
        {query.status !== 'active' && <input type="hidden" name="status" value={query.status} />}
        <div>
          <label htmlFor="apps-q" className="sr-only">
            Search apps by name or id
          </label>
          <Input
            id="apps-q"
            name="q"
            type="search"
            defaultValue={query.q}
            placeholder="Search by name or id"
            maxLength={100}
            className="w-60"
          />
        </div>
        <div>
          <label htmlFor="apps-sort" className="sr-only">
            Sort by
          </label>
          <Select id="apps-sort" name="sort" defaultValue={query.sort} className="w-40">
            <Options choices={choicesOf(APP_SORTS, appSortLabels)} />
          </Select>
        </div>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
    </div>
  );
}
