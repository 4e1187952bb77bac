/**
 * A config's entity tag is its version: `"v7"`. Writes name the version they start from in
 * `If-Match`, which is how the API carries the editor's "base version" (optimistic concurrency).
 */
export function versionEtag(version: number): string {
  return `"v${version}"`;
}

export type IfMatch =
  { kind: 'missing' } | { kind: 'version'; version: number } | { kind: 'invalid'; reason: string };

const VERSION_TAG = /^"v(0|[1-9]\d{0,15})"$/;

export function parseIfMatch(header: string | null): IfMatch {
  if (header === null || header.trim() === '') return { kind: 'missing' };
  const value = header.trim();
  if (value === '*' || value.includes(',')) {
    return { kind: 'invalid', reason: 'If-Match names exactly one version, like "v7".' };
  }
  if (value.startsWith('W/')) {
    return { kind: 'invalid', reason: 'If-Match needs the strong tag, like "v7", not W/"v7".' };
  }
  const match = VERSION_TAG.exec(value);
  if (!match?.[1]) {
    return {
      kind: 'invalid',
      reason: 'If-Match is the ETag of a version, like "v7" (quotes included).',
    };
  }
  return { kind: 'version', version: Number(match[1]) };
}

/** Whether an `If-None-Match` header already names this tag (the answer is then 304). */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
}
