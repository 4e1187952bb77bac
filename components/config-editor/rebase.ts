/**
 * "Re-apply my changes on top of the latest version": a three-way merge of the editor's draft
 * onto the new head, using the version the editor started from as the common ancestor.
 *
 * - A setting the editor did not touch takes the head's value (their change is kept).
 * - A setting the editor changed takes the editor's value (the editor reviews the result
 *   against the new head before saving, so nothing is overwritten unseen).
 * - Lists of plain values (URLs, factors, events) merge as sets: your additions and removals
 *   are applied to their list.
 * - Lists of items with an identity (social providers, webhooks, sign-up fields) merge item by
 *   item, matched by provider / id / name, never by position.
 */

type Json = unknown;

const isRecord = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function identityOf(item: Json): string | undefined {
  if (!isRecord(item)) return undefined;
  for (const key of ['provider', 'id', 'name']) {
    const value = item[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function same(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => same(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return false;
}

function mergeValueList(base: Json[], mine: Json[], theirs: Json[]): Json[] {
  const removed = base.filter((v) => !mine.some((m) => same(m, v)));
  const added = mine.filter((v) => !base.some((b) => same(b, v)));
  const kept = theirs.filter((v) => !removed.some((r) => same(r, v)));
  return [...kept, ...added.filter((v) => !kept.some((k) => same(k, v)))];
}

function mergeItemList(base: Json[], mine: Json[], theirs: Json[]): Json[] {
  const find = (list: Json[], id: string) => list.find((item) => identityOf(item) === id);
  const out: Json[] = [];
  for (const their of theirs) {
    const id = identityOf(their)!;
    const b = find(base, id);
    const m = find(mine, id);
    if (b !== undefined && m === undefined) continue; // you removed it
    out.push(b !== undefined && m !== undefined ? merge(b, m, their) : (m ?? their));
  }
  for (const m of mine) {
    const id = identityOf(m)!;
    if (find(theirs, id) !== undefined) continue;
    const b = find(base, id);
    // Yours and new, or they removed it and you changed it: keep yours. Untouched and removed
    // by them: their removal stands.
    if (b === undefined || !same(b, m)) out.push(m);
  }
  return out;
}

function merge(base: Json, mine: Json, theirs: Json): Json {
  if (same(base, mine)) return theirs;
  if (Array.isArray(base) && Array.isArray(mine) && Array.isArray(theirs)) {
    const all: Json[] = [...(base as Json[]), ...(mine as Json[]), ...(theirs as Json[])];
    const keyed = all.every((item) => identityOf(item) !== undefined);
    const plain = all.every((item) => !isRecord(item));
    if (keyed) return mergeItemList(base, mine, theirs);
    if (plain) return mergeValueList(base, mine, theirs);
    return mine;
  }
  if (isRecord(base) && isRecord(mine) && isRecord(theirs)) {
    const out: Record<string, Json> = { ...theirs };
    for (const key of new Set([...Object.keys(mine), ...Object.keys(base)])) {
      if (!(key in mine)) delete out[key];
      else out[key] = merge(base[key], mine[key], theirs[key]);
    }
    return out;
  }
  return mine;
}

export function rebaseDraft<T>(base: T, mine: T, theirs: T): T {
  return merge(base, mine, theirs) as T;
}
