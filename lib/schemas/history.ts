import { z } from 'zod';
import { versionSchema } from '@/lib/schemas/app';

/**
 * What a person types to find versions: a version number ("17", "v17", "4 990", "4,990")
 * finds exactly that version; anything else finds versions whose message or author (name or
 * email) contains it, ignoring case.
 */
export type HistorySearch = { kind: 'version'; version: number } | { kind: 'text'; text: string };

export const historyQueryText = z.string().trim().max(100, { error: 'Use at most 100 characters' });

export function parseHistorySearch(raw: string | undefined): HistorySearch | undefined {
  const text = raw?.trim() ?? '';
  if (text === '') return undefined;
  const number = /^v?\s*(\d[\d\s,.'’]*)$/i.exec(text)?.[1];
  if (number !== undefined) {
    const version = Number(number.replace(/\D/g, ''));
    if (Number.isSafeInteger(version) && version > 0) return { kind: 'version', version };
  }
  return { kind: 'text', text };
}

const first = (v: unknown) => (Array.isArray(v) ? (v[0] as unknown) : v);
const optionalVersion = z.preprocess(first, versionSchema.optional().catch(undefined));

/**
 * The history page's URL: `q` searches, `before`/`after` are the paging cursor (a version
 * number), `from`/`to` the comparison. A broken value is dropped rather than failing the page.
 */
export const historyPageQuerySchema = z.object({
  q: z.preprocess(first, historyQueryText.optional().catch(undefined)),
  before: optionalVersion,
  after: optionalVersion,
  from: optionalVersion,
  to: optionalVersion,
});

export type HistoryPageQuery = z.output<typeof historyPageQuerySchema>;

/** The history page's URL for a query; empty parts are left out. */
export function historyHref(appId: string, query: Partial<HistoryPageQuery>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `/apps/${appId}/history${search ? `?${search}` : ''}`;
}
