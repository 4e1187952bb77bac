import { Codes, CommandError, codeName } from './errors.js';
import type { ReplicaSetPrimary } from './replica-set.js';
import { type Doc, isPlainObject } from './values.js';

const WRITE_CONCERN_FIELDS = new Set(['w', 'j', 'wtimeout', 'fsync', 'provenance']);
const READ_CONCERN_LEVELS = new Set(['local', 'majority', 'available', 'linearizable', 'snapshot']);

type W = number | string;

/**
 * Parses a command's `writeConcern` as mongod does before running it: a malformed one fails the
 * command (nothing written). On a standalone, `w` above 1 or a tag cannot mean anything and is
 * refused up front; on the replica set it is checked after the write (see `writeConcernError`).
 */
export function parseWriteConcern(cmd: Doc, rs: ReplicaSetPrimary | undefined): W | undefined {
  const wc = cmd.writeConcern;
  if (wc === undefined || wc === null) return undefined;
  if (!isPlainObject(wc))
    throw new CommandError(Codes.FailedToParse, 'writeConcern must be an object');
  for (const key of Object.keys(wc))
    if (!WRITE_CONCERN_FIELDS.has(key))
      throw new CommandError(Codes.FailedToParse, `unrecognized write concern field: ${key}`);
  const { w, j, wtimeout } = wc;
  if (j !== undefined && typeof j !== 'boolean' && typeof j !== 'number')
    throw new CommandError(Codes.FailedToParse, 'j must be numeric or a boolean value');
  if (wtimeout !== undefined && typeof wtimeout !== 'number')
    throw new CommandError(Codes.FailedToParse, 'wtimeout must be a number');
  if (w === undefined) return undefined;
  if (typeof w === 'number') {
    if (!Number.isInteger(w) || w < 0 || w > 50)
      throw new CommandError(
        Codes.FailedToParse,
        'w has to be a non-negative number and not greater than 50',
      );
    if (!rs && w > 1) throw new CommandError(Codes.BadValue, "cannot use 'w' > 1 on a standalone");
    return w;
  }
  if (typeof w !== 'string')
    throw new CommandError(Codes.FailedToParse, 'w has to be a number or string');
  if (!rs && w !== 'majority')
    throw new CommandError(
      Codes.BadValue,
      `cannot use non-majority 'w' mode "${w}" when a host is not a member of a replica set`,
    );
  return w;
}

/**
 * Whether the command's reply must wait until the journal is on disk: `j: true` (or the old
 * `fsync: true`) and `w: 'majority'`, which mongod journals before acknowledging
 * (writeConcernMajorityJournalDefault). `w: 1` without `j`, and a command without a write
 * concern, are acknowledged once written to the OS (see the README's Persistence).
 */
export function waitsForJournal(cmd: Doc): boolean {
  const wc = cmd.writeConcern;
  if (!isPlainObject(wc)) return false;
  return wc.w === 'majority' || Boolean(wc.j) || Boolean(wc.fsync);
}

/**
 * A one-member set satisfies `w: 0`, `1` and `majority` as soon as the write is applied. More
 * members or a tag its (empty) configuration does not define cannot be satisfied: like mongod,
 * the write stays applied and the reply carries a writeConcernError.
 */
export function writeConcernError(w: W | undefined, wc: Doc): Doc | undefined {
  if (w === undefined || w === 'majority' || (typeof w === 'number' && w <= 1)) return undefined;
  const error =
    typeof w === 'number'
      ? new CommandError(Codes.UnsatisfiableWriteConcern, 'Not enough data-bearing nodes')
      : new CommandError(
          Codes.UnknownReplWriteConcern,
          `No write concern mode named '${w}' found in replica set configuration`,
        );
  return {
    code: error.code,
    codeName: codeName(error.code),
    errmsg: error.message,
    errInfo: { writeConcern: { ...wc, provenance: 'clientSupplied' } },
  };
}

/**
 * Every level is served the same way here: a single member applies each write before it
 * answers, so what a read sees is already majority-committed (and linearizable).
 */
export function checkReadConcern(cmd: Doc): void {
  const rc = cmd.readConcern;
  if (rc === undefined || rc === null) return;
  if (!isPlainObject(rc))
    throw new CommandError(Codes.FailedToParse, 'readConcern must be an object');
  if (
    rc.level !== undefined &&
    (typeof rc.level !== 'string' || !READ_CONCERN_LEVELS.has(rc.level))
  )
    throw new CommandError(
      Codes.FailedToParse,
      `readConcern.level must be one of ${[...READ_CONCERN_LEVELS].join(', ')}`,
    );
}
