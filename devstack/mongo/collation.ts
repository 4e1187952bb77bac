import { Codes, CommandError, notSupported } from './errors.js';
import { type Doc, isPlainObject, messageValue } from './values.js';

/**
 * Collations, by ICU through `Intl.Collator` (the same library mongod uses). mingo compares
 * strings by code point only, so a query under a collation runs on a copy of the documents in
 * which every string is replaced by its rank in collation order ("ping" and "PING" get the same
 * rank at strength 2). Equality, ranges and sorting on that copy are exactly the collation's;
 * anything that reads a string's content (regex, $expr, update operators that compare values)
 * is refused rather than answered by code point.
 */

const FIELDS = new Set([
  'locale',
  'strength',
  'caseLevel',
  'caseFirst',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'backwards',
  'normalization',
  'version',
]);

/** The collator for a command's `collation`, or undefined for none / the simple binary one. */
export function parseCollation(spec: unknown): Intl.Collator | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec))
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'collation' is the wrong type, expected type 'object'",
    );
  for (const key of Object.keys(spec))
    if (!FIELDS.has(key))
      throw new CommandError(
        Codes.Location40415,
        `BSON field 'collation.${key}' is an unknown field.`,
      );
  const locale = spec.locale;
  if (typeof locale !== 'string')
    throw new CommandError(
      Codes.Location40414,
      "BSON field 'collation.locale' is missing but a required field",
    );
  if (locale === 'simple') return undefined;
  const tag = locale.replace(/_/g, '-');
  if (Intl.Collator.supportedLocalesOf(tag).length === 0)
    throw new CommandError(Codes.BadValue, `Field 'locale' is invalid in: { locale: "${locale}" }`);
  const strength = spec.strength ?? 3;
  if (strength !== 1 && strength !== 2 && strength !== 3)
    throw notSupported(`collation strength ${messageValue(strength)}`);
  for (const key of ['backwards', 'normalization'] as const)
    if (spec[key] === true) throw notSupported(`collation option ${key}`);
  if (spec.alternate !== undefined && spec.alternate !== 'non-ignorable')
    throw notSupported(`collation option alternate: ${messageValue(spec.alternate)}`);
  const caseLevel = spec.caseLevel === true;
  const sensitivity =
    strength === 1
      ? caseLevel
        ? 'case'
        : 'base'
      : strength === 2
        ? caseLevel
          ? 'variant'
          : 'accent'
        : 'variant';
  const caseFirst = spec.caseFirst;
  return new Intl.Collator(tag, {
    usage: 'sort',
    sensitivity,
    numeric: spec.numericOrdering === true,
    caseFirst: caseFirst === 'upper' || caseFirst === 'lower' ? caseFirst : 'false',
  });
}

/** Query operators whose string operands are compared under the collation. */
const COMPARED = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all']);
/** Operators whose operands are not compared strings (type names, counts, flags). */
const VERBATIM = new Set([
  '$exists',
  '$type',
  '$size',
  '$mod',
  '$bitsAllSet',
  '$bitsAnySet',
  '$bitsAllClear',
  '$bitsAnyClear',
]);
const LOGICAL = new Set(['$and', '$or', '$nor']);

function collectStrings(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (isPlainObject(value)) for (const v of Object.values(value)) collectStrings(v, out);
}

/** Replaces each string by a fixed-width rank, so code point order is collation order. */
export class CollationKeys {
  private readonly keys = new Map<string, string>();

  constructor(strings: Iterable<string>, collator: Intl.Collator) {
    const sorted = [...new Set(strings)].sort(collator.compare);
    let rank = 0;
    let previous: string | undefined;
    for (const s of sorted) {
      if (previous !== undefined && collator.compare(previous, s) !== 0) rank += 1;
      this.keys.set(s, `\u0001${rank.toString().padStart(10, '0')}`);
      previous = s;
    }
  }

  value(v: unknown): unknown {
    if (typeof v === 'string') return this.keys.get(v) ?? v;
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (isPlainObject(v)) {
      const out: Doc = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x);
      return out;
    }
    return v;
  }

  /** Keyed copies of stored documents, and the way back from a copy to its original. */
  documents(docs: Doc[]): { keyed: Doc[]; original: (keyed: Doc) => Doc } {
    const back = new Map<Doc, Doc>();
    const keyed = docs.map((d) => {
      const k = this.value(d) as Doc;
      back.set(k, d);
      return k;
    });
    return { keyed, original: (k) => back.get(k) ?? k };
  }

  /** Maps the compared operands of a filter; refuses operators that read string content. */
  filter(filter: Doc): Doc {
    const out: Doc = {};
    for (const [key, value] of Object.entries(filter)) {
      if (key === '$comment') {
        out[key] = value;
      } else if (LOGICAL.has(key) && Array.isArray(value)) {
        out[key] = (value as unknown[]).map((part) =>
          isPlainObject(part) ? this.filter(part) : part,
        );
      } else if (key.startsWith('$')) {
        throw notSupported(`${key} with a collation`);
      } else {
        out[key] = this.condition(value);
      }
    }
    return out;
  }

  private condition(value: unknown): unknown {
    if (value instanceof RegExp) throw notSupported('a regular expression with a collation');
    if (!isPlainObject(value) || !Object.keys(value).some((k) => k.startsWith('$')))
      return this.value(value);
    const out: Doc = {};
    for (const [op, arg] of Object.entries(value)) {
      if (COMPARED.has(op) && [arg].flat().some((a) => a instanceof RegExp))
        throw notSupported('a regular expression with a collation');
      if (COMPARED.has(op)) out[op] = this.value(arg);
      else if (VERBATIM.has(op)) out[op] = arg;
      else if (op === '$not') out[op] = this.condition(arg);
      else if (op === '$elemMatch' && isPlainObject(arg))
        out[op] = Object.keys(arg).some((k) => k.startsWith('$') && !LOGICAL.has(k))
          ? this.condition(arg)
          : this.filter(arg);
      else throw notSupported(`${op} with a collation`);
    }
    return out;
  }
}

/** Keys for every string in the documents and the filter. */
export function collationKeys(docs: Doc[], filter: Doc, collator: Intl.Collator): CollationKeys {
  const strings = new Set<string>();
  for (const d of docs) collectStrings(d, strings);
  collectStrings(filter, strings);
  return new CollationKeys(strings, collator);
}
