import { Codes, CommandError, codeName, notSupported } from './errors.js';
import { type Doc, isPlainObject, toInt } from './values.js';

/** What a triggered `failCommand` does to one command, before it runs. */
export type Failure = { close: true } | { reply: Doc };

const FAIL_COMMAND_FIELDS = new Set([
  'failCommands',
  'errorCode',
  'closeConnection',
  'errorLabels',
  'errmsg',
  'writeConcernError',
]);
const TRANSACTIONAL_WRITE_FIELDS = new Set(['closeConnection']);

interface Active {
  remaining: number;
  skip: number;
  data: Doc;
}

/** `mode` of configureFailPoint: undefined for `off`. */
function activation(mode: unknown, data: Doc): Active | undefined {
  if (mode === 'off') return undefined;
  if (mode === 'alwaysOn') return { remaining: Infinity, skip: 0, data };
  if (isPlainObject(mode) && (mode.times !== undefined || mode.skip !== undefined))
    return { remaining: toInt(mode.times, Infinity), skip: toInt(mode.skip, 0), data };
  throw new CommandError(Codes.BadValue, `unknown fail point mode ${JSON.stringify(mode)}`);
}

/** Counts one trigger of an active fail point; false while it is still skipping. */
function fire(fp: Active): boolean {
  if (fp.skip > 0) {
    fp.skip -= 1;
    return false;
  }
  fp.remaining -= 1;
  return true;
}

/**
 * mongod's test fail points (`configureFailPoint`), so tests can make a chosen command fail:
 * `failCommand` (an error code, a dropped connection or a write concern error) and
 * `onPrimaryTransactionalWrite` (the connection drops after a retryable write was applied, so
 * the driver retries something already done). Options they do not implement (blocking, appName
 * filters, failing before the commit) are refused by name.
 */
export class FailPoints {
  private failCommand: Active | undefined;
  private transactionalWrite: Active | undefined;

  configure(cmd: Doc): Doc {
    const name = cmd.configureFailPoint;
    const data = isPlainObject(cmd.data) ? cmd.data : {};
    const allowed =
      name === 'failCommand'
        ? FAIL_COMMAND_FIELDS
        : name === 'onPrimaryTransactionalWrite'
          ? TRANSACTIONAL_WRITE_FIELDS
          : undefined;
    if (!allowed) throw notSupported(`fail point ${String(name)}`);
    for (const key of Object.keys(data))
      if (!allowed.has(key)) throw notSupported(`${String(name)} option ${key}`);
    if (name === 'failCommand') {
      if (cmd.mode !== 'off' && !Array.isArray(data.failCommands))
        throw new CommandError(Codes.BadValue, "'failCommands' must be an array of command names");
      this.failCommand = activation(cmd.mode, data);
    } else {
      this.transactionalWrite = activation(cmd.mode, data);
    }
    return { ok: 1 };
  }

  /** failCommand, before the command runs: an error reply or a dropped connection. */
  check(command: string): Failure | undefined {
    const fp = this.failCommand;
    if (!fp || 'writeConcernError' in fp.data || !this.triggers(fp, command)) return undefined;
    if (fp.data.closeConnection === true) return { close: true };
    const code = toInt(fp.data.errorCode, Codes.InternalError);
    const reply: Doc = {
      ok: 0,
      errmsg:
        typeof fp.data.errmsg === 'string'
          ? fp.data.errmsg
          : "Failing command via 'failCommand' failpoint",
      code,
      codeName: codeName(code),
    };
    if (Array.isArray(fp.data.errorLabels)) reply.errorLabels = fp.data.errorLabels;
    return { reply };
  }

  /** failCommand with `writeConcernError`, after the command ran: the error to attach. */
  writeConcernError(command: string): Doc | undefined {
    const fp = this.failCommand;
    if (!fp || !isPlainObject(fp.data.writeConcernError) || !this.triggers(fp, command))
      return undefined;
    return fp.data.writeConcernError;
  }

  /** onPrimaryTransactionalWrite, after a retryable write was applied: drop the connection? */
  closeAfterRetryableWrite(): boolean {
    const fp = this.transactionalWrite;
    if (!fp || !fire(fp)) return false;
    if (fp.remaining <= 0) this.transactionalWrite = undefined;
    return fp.data.closeConnection !== false;
  }

  private triggers(fp: Active, command: string): boolean {
    if (!(fp.data.failCommands as unknown[]).includes(command) || !fire(fp)) return false;
    if (fp.remaining <= 0) this.failCommand = undefined;
    return true;
  }
}
