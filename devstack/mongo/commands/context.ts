import { Long } from 'bson';
import { Codes, CommandError } from '../errors.js';
import type { Cursors } from '../cursors.js';
import { type Collection, type Store, validateCollectionName } from '../store.js';
import { type Doc, isPlainObject } from '../values.js';

export interface Context {
  store: Store;
  cursors: Cursors;
  connectionId: number;
}

export type Handler = (cmd: Doc, db: string, ctx: Context) => Doc;

export function collectionArg(cmd: Doc, name: string, db: string): string {
  return validateCollectionName(db, cmd[name]);
}

export function optionalDoc(cmd: Doc, field: string, command: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v))
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${command}.${field}' is the wrong type '${Array.isArray(v) ? 'array' : typeof v}', expected type 'object'`,
    );
  return v;
}

export function optionalInt(cmd: Doc, field: string, command: string, min = 0): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  const n = v instanceof Long ? v.toNumber() : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${command}.${field}' is the wrong type '${typeof v}', expected types '[long, int, decimal, double]'`,
    );
  }
  if (n < min)
    throw new CommandError(
      Codes.BadValue,
      `BSON field '${field}' value must be >= ${min}, actual value '${n}'`,
    );
  return Math.trunc(n);
}

export function optionalBool(cmd: Doc, field: string, fallback: boolean): boolean {
  const v = cmd[field];
  if (v === undefined || v === null) return fallback;
  return Boolean(v instanceof Long ? v.toNumber() : v);
}

export function docArray(cmd: Doc, field: string, command: string): Doc[] {
  const v = cmd[field];
  if (!Array.isArray(v))
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${command}.${field}' is missing or is not an array`,
    );
  for (const el of v) {
    if (!isPlainObject(el))
      throw new CommandError(
        Codes.TypeMismatch,
        `BSON field '${command}.${field}' must contain only objects`,
      );
  }
  return v as Doc[];
}

export function existing(ctx: Context, db: string, name: string): Collection {
  const coll = ctx.store.get(db, name);
  if (!coll) throw new CommandError(Codes.NamespaceNotFound, `ns does not exist: ${db}.${name}`);
  return coll;
}

export const cursorReply = (id: Long, ns: string, docs: Doc[], first: boolean): Doc => ({
  cursor: first ? { firstBatch: docs, id, ns } : { nextBatch: docs, id, ns },
  ok: 1,
});
