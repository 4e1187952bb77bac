/**
 * The arguments of a server action call arrive in React's reply encoding: row 0 is JSON, and a
 * string starting with `$` is either an escaped string, a special value, or a reference to
 * another row (a form field named by the row's number). Next decodes it with React's
 * `decodeReply`, and anything that decoder throws on (a row that is not JSON, a reference to a
 * row that is missing or arrives later, a Map built from a non-array, a bad BigInt, ...) ends as
 * an HTTP 500. This check accepts the part of the encoding that decodes without throwing and that
 * the app's own calls produce (JSON values, undefined, special numbers, dates, big integers,
 * FormData, outlined rows, promises, Maps and Sets), and refuses everything else, before the
 * decoder sees it. Binary values, streams, iterators and server references as arguments are
 * refused: no action of the app takes one. Pure: proxy.ts runs it, not under `react-server`.
 */

/** The rows of a reply, in the order the body carried them. */
export interface ReplyRows {
  get(id: number): string | undefined;
  /** Row `id` is there for row `from` to refer to (where the decoder reads rows as they arrive: before it). */
  before(id: number, from: number): boolean;
}

/** React's default limit on array slots a reply may expand to (`arraySizeLimit`). */
const MAX_SLOTS = 1_000_000;
/** React refuses a BigInt of more digits than this. */
const MAX_BIGINT_DIGITS = 300;
/**
 * Arrays and objects nested deeper than this are refused: the decoder revives JSON recursively
 * and a body of brackets would overflow its stack (and this walk's). No argument of the app's
 * nests anywhere near it (a config travels as one JSON string).
 */
const MAX_DEPTH = 256;

/** The rows of a text/plain reply: the body is row 0. */
export function textRows(body: string): ReplyRows {
  return { get: (id) => (id === 0 ? body : undefined), before: () => false };
}

/**
 * The rows of a multipart reply: fields named by `prefix` and a row number. `ordered`: the
 * decoder reads the body as it streams (a call from JavaScript), so a row may only refer to rows
 * before it; a form posted without JavaScript is decoded whole.
 */
export function formRows(form: FormData, prefix = '', ordered = true): ReplyRows {
  const rows = new Map<number, { value: string; at: number }>();
  let at = 0;
  for (const [name, value] of form) {
    at += 1;
    const id = name.startsWith(prefix) ? name.slice(prefix.length) : '';
    if (!/^(0|[1-9]\d*)$/.test(id) || rows.has(Number(id))) continue;
    // A file under a row's name is not a row: React's decoder reads only string rows.
    if (typeof value === 'string') rows.set(Number(id), { value, at });
  }
  return {
    get: (id) => rows.get(id)?.value,
    before: (id, from) => {
      const row = rows.get(id);
      return row !== undefined && (!ordered || row.at < (rows.get(from)?.at ?? Infinity));
    },
  };
}

class Malformed extends Error {}

/**
 * How many arguments an action takes, as the app calls it: every action of the app that reads
 * its arguments is a form action, called as `(formData)` or `(prevState, formData)`
 * (`defineAction`, sign-in); 0 for one that reads none (`signOut`), which takes anything.
 */
export type FormArity = 0 | 1 | 2;

/**
 * Null when the reply of a call from the app's JavaScript decodes to the arguments the action
 * takes; otherwise why not, in a few words a client developer can act on.
 */
export function callProblem(rows: ReplyRows, arity: FormArity): string | null {
  return problem(() => {
    const root = parseRow(rows, 0);
    if (!Array.isArray(root)) return 'The arguments are not a list.';
    if (arity > 0 && !(root.length === arity && isFormData(root[arity - 1])))
      return formExpected(arity);
    new ReplyWalk(rows).row(0);
    return null;
  });
}

/**
 * The same for a form posted before the JavaScript loaded (`useActionState` renders the action
 * with the previous state bound): row 0 names the action and its bound arguments, and the form
 * itself comes after them.
 */
export function boundProblem(rows: ReplyRows, arity: FormArity): string | null {
  return problem(() => {
    const root = parseRow(rows, 0);
    const meta = isRecord(root) ? root : null;
    if (typeof meta?.id !== 'string') return 'The form does not name its action.';
    const walk = new ReplyWalk(rows);
    walk.row(0);
    let bound = 0;
    if (meta.bound !== null && meta.bound !== undefined) {
      const ref = typeof meta.bound === 'string' ? /^\$@([0-9a-f]+)$/i.exec(meta.bound) : null;
      const args = ref ? parseRow(rows, parseInt(ref[1]!, 16)) : null;
      if (!Array.isArray(args)) return 'The bound arguments are not a list.';
      bound = args.length;
    }
    return arity > 0 && bound + 1 !== arity ? formExpected(arity) : null;
  });
}

function formExpected(arity: FormArity): string {
  return arity === 1
    ? 'The action takes a form as its one argument.'
    : 'The action takes a previous state and a form.';
}

function isFormData(value: unknown): boolean {
  return typeof value === 'string' && /^\$K[0-9a-f]+$/i.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function problem(check: () => string | null): string | null {
  try {
    return check();
  } catch (error) {
    if (error instanceof Malformed) return error.message;
    throw error;
  }
}

function parseRow(rows: ReplyRows, id: number): unknown {
  const text = rows.get(id);
  if (text === undefined) throw new Malformed(`Row ${id.toString(16)} is missing.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Malformed(`Row ${id.toString(16)} is not JSON.`);
  }
}

/** Walks every row reachable from row 0 once, counting the array slots the decoder would make. */
class ReplyWalk {
  private readonly parsed = new Map<number, unknown>();
  private readonly slots = new Map<number, number>();
  private readonly consumed = new Set<number>();
  private readonly open = new Set<number>();

  constructor(private readonly rows: ReplyRows) {}

  /** The slots row `id` expands to; each row is walked once however often it is referred to. */
  row(id: number): number {
    const known = this.slots.get(id);
    if (known !== undefined) return known;
    // A row referring back to one being walked is a cycle: the client never sends one as a row.
    if (this.open.has(id)) throw new Malformed('The arguments refer to themselves.');
    this.open.add(id);
    const count = this.value(id, this.model(id), 0);
    this.open.delete(id);
    this.slots.set(id, count);
    return count;
  }

  private model(id: number): unknown {
    if (!this.parsed.has(id)) this.parsed.set(id, parseRow(this.rows, id));
    return this.parsed.get(id);
  }

  private value(id: number, v: unknown, depth: number): number {
    if (depth > MAX_DEPTH) throw new Malformed('The arguments nest too deeply.');
    let count = 0;
    if (typeof v === 'string') count = v.length + (v.startsWith('$') ? this.special(id, v) : 0);
    else if (Array.isArray(v)) {
      count = v.length;
      for (const item of v) count += this.value(id, item, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const item of Object.values(v)) count += this.value(id, item, depth + 1);
    }
    if (count > MAX_SLOTS) throw new Malformed('The arguments are too large once decoded.');
    return count;
  }

  /** The slots a `$` string adds, or Malformed when React's decoder would throw on it. */
  private special(from: number, s: string): number {
    const tag = s[1];
    const rest = s.slice(2);
    // An escaped string, $T (an opaque value left on the client), and values the decoder makes
    // from the tag alone ($undefined, $Infinity, $NaN, $-0, $-Infinity, $D + any date text).
    if (tag === '$' || s === '$T' || (tag !== undefined && 'uIN-D'.includes(tag))) return 0;
    if (tag === 'K' && /^[0-9a-f]+$/i.test(rest)) return 0;
    if (tag === 'n') {
      if (rest.length <= MAX_BIGINT_DIGITS && /^-?\d+$/.test(rest)) return 0;
      throw new Malformed('A big integer in the arguments is not one.');
    }
    if (tag === '@') return this.reference(from, rest, 'promise');
    if (tag === 'Q') return this.reference(from, rest, 'map');
    if (tag === 'W') return this.reference(from, rest, 'set');
    if (tag !== undefined && /[0-9a-f]/i.test(tag))
      return this.reference(from, s.slice(1), 'model');
    throw new Malformed(`The arguments hold a value no action takes (${s.slice(0, 2)}).`);
  }

  private reference(from: number, ref: string, kind: 'promise' | 'map' | 'set' | 'model'): number {
    const [head = '', ...path] = ref.split(':');
    if (!/^[0-9a-f]+$/i.test(head) || (kind !== 'model' && path.length > 0))
      throw new Malformed('The arguments hold a reference that is not one.');
    const id = parseInt(head, 16);
    if (id === from) {
      // A path into the row being read (the client's way to send one object twice): it must lead
      // to a value written out in that row, not through another reference, nor to the whole row.
      if (kind !== 'model' || path.length === 0)
        throw new Malformed('The arguments refer to themselves.');
      this.follow(this.model(id), path);
      return 0;
    }
    if (!this.rows.before(id, from))
      throw new Malformed(`Row ${head} is missing or comes after the row that refers to it.`);
    const count = this.row(id);
    const target = this.follow(this.model(id), path);
    if (kind === 'map' || kind === 'set') {
      // The decoder builds a Map or Set from the row once, from an array (of pairs, for a Map).
      if (this.consumed.has(id)) throw new Malformed(`Row ${head} is used twice.`);
      this.consumed.add(id);
      const ok =
        Array.isArray(target) &&
        (kind === 'set' ||
          target.every(
            (pair) => Array.isArray(pair) || (pair !== null && typeof pair === 'object'),
          ));
      if (!ok) throw new Malformed(`Row ${head} is not a ${kind === 'map' ? 'Map' : 'Set'}.`);
    }
    return count;
  }

  private follow(model: unknown, path: string[]): unknown {
    let at = model;
    for (const key of path) {
      if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key))
        throw new Malformed('The arguments hold a reference to nothing.');
      at = (at as Record<string, unknown>)[key];
      if (typeof at === 'string' && at.startsWith('$'))
        throw new Malformed('The arguments hold a reference to a reference.');
    }
    return at;
  }
}
