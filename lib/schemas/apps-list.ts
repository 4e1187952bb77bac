import { z } from 'zod';

export const APP_SORTS = ['name', 'recent', 'id'] as const;
export type AppSort = (typeof APP_SORTS)[number];
export const appSortLabels: Record<AppSort, string> = {
  name: 'Name (A–Z)',
  recent: 'Last changed',
  id: 'App id',
};

/** The apps list's search params: everything optional, so a bare /apps is the first page. */
export const appsListQuerySchema = z.object({
  q: z.string().trim().max(100).default(''),
  sort: z.enum(APP_SORTS).default('name'),
  status: z.enum(['active', 'archived']).default('active'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
export type AppsListQuery = z.output<typeof appsListQuerySchema>;

/** A link to the list with these settings; defaults are left out so links stay short. */
export function appsListHref(query: AppsListQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.sort !== 'name') params.set('sort', query.sort);
  if (query.status !== 'active') params.set('status', query.status);
  if (query.page > 1) params.set('page', String(query.page));
  const search = params.toString();
  return search ? `/apps?${search}` : '/apps';
}
