/**
 * What a region's failure is called wherever status is shown (viewers, read tokens, support
 * alike): a category. Driver messages name the cache's host and port, which a customer has no
 * business seeing; the full message goes to the server log, where support and operators read it.
 */
const categories: [RegExp, string][] = [
  [/ECONNREFUSED/, 'connection refused'],
  [/ENOTFOUND|EAI_AGAIN/, 'address not found'],
  [/ETIMEDOUT|timed out|did not answer within/i, 'timed out'],
  [/ECONNRESET|EPIPE/, 'connection reset'],
  [/WRONGPASS|NOAUTH|NOPERM/, 'authentication failed'],
  [/Connection is closed|not connected|Stream isn't writeable/i, 'not connected'],
];

export function regionErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return categories.find(([pattern]) => pattern.test(message))?.[1] ?? 'unexpected error';
}
