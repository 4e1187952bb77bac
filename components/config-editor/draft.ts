/**
 * The editor keeps the whole configuration as one plain object (the draft) and edits it by
 * dotted path, the same paths the server uses for its field errors (`urls.redirectUrls.2`).
 */

const segmentsOf = (path: string) => path.split('.').filter(Boolean);

export function getIn(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of segmentsOf(path)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function setSegments(value: unknown, segments: string[], next: unknown): unknown {
  const [head, ...rest] = segments;
  if (head === undefined) return next;
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    copy[Number(head)] = setSegments(copy[Number(head)], rest, next);
    return copy;
  }
  const record =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return { ...record, [head]: setSegments(record[head], rest, next) };
}

/** A copy of `value` with `path` set to `next`; everything else is shared, not copied. */
export function setIn<T>(value: T, path: string, next: unknown): T {
  return setSegments(value, segmentsOf(path), next) as T;
}

/** The DOM id of the control that edits `path`. */
export function fieldId(path: string): string {
  return `cfg-${path.replace(/\./g, '-')}`;
}
