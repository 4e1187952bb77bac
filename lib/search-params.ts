/** A page's search params as Next hands them over: a key given twice arrives as a list. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** One value per key, the first where a link repeats a key, ready for a query schema. */
export function firstValues(raw: SearchParams): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}
