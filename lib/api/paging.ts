/** The URL of the next page: the request's own path and query with the cursor moved on. */
export function nextPageUrl(request: Request, cursor: Record<string, string>): string {
  const url = new URL(request.url);
  for (const [key, value] of Object.entries(cursor)) url.searchParams.set(key, value);
  return `${url.pathname}?${url.searchParams.toString()}`;
}
