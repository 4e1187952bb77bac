import { Codes, CommandError, codeName, notSupported } from './errors.js';
import { type Doc, isPlainObject, toInt } from './values.js';

/** What a triggered fail point does to one command. */
export type Failure = { close: true } | { reply: Doc };

const DATA_FIELDS = new Set([
  'failCommands',
  'errorCode',
  'closeConnection',
  'errorLabels',
  'errmsg',
]);

/**
 * mongod's `failCommand` test fail point (`configureFailPoint`), so tests can make a chosen
 * command fail with an error code or a dropped connection. Options it does not implement
 * (blocking, write concern errors, appName filters) are refused by name.
 */
export class FailPoints {
  private active: { remaining: number; skip: number; data: Doc } | undefined;

  configure(cmd: Doc): Doc {
    if (cmd.configureFailPoint !== 'failCommand')
      throw notSupported(`fail point ${String(cmd.configureFailPoint)}`);
    const mode = cmd.mode;
    if (mode === 'off') {
      this.active = undefined;
      return { ok: 1 };
    }
    const data = isPlainObject(cmd.data) ? cmd.data : {};
    for (const key of Object.keys(data))
      if (!DATA_FIELDS.has(key)) throw notSupported(`failCommand option ${key}`);
    if (!Array.isArray(data.failCommands))
      throw new CommandError(Codes.BadValue, "'failCommands' must be an array of command names");
    if (mode === 'alwaysOn') this.active = { remaining: Infinity, skip: 0, data };
    else if (isPlainObject(mode) && (mode.times !== undefined || mode.skip !== undefined))
      this.active = { remaining: toInt(mode.times, Infinity), skip: toInt(mode.skip, 0), data };
    else throw new CommandError(Codes.BadValue, `unknown fail point mode ${JSON.stringify(mode)}`);
    return { ok: 1 };
  }

  check(command: string): Failure | undefined {
    const fp = this.active;
    if (!fp || !(fp.data.failCommands as unknown[]).includes(command)) return undefined;
    if (fp.skip > 0) {
      fp.skip -= 1;
      return undefined;
    }
    fp.remaining -= 1;
    if (fp.remaining <= 0) this.active = undefined;
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
}
