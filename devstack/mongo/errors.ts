import { MingoError } from 'mingo/util';

/** MongoDB's numeric error codes and their names, as far as this server uses them. */
export const Codes = {
  InternalError: 1,
  Unauthorized: 13,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  InvalidBSON: 22,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NotImplemented: 238,
  UnknownReplWriteConcern: 79,
  UnsatisfiableWriteConcern: 100,
  TransactionTooOld: 225,
  Location50768: 50768,
  InvalidIdField: 53,
  InvalidPipelineOperator: 168,
  CommandNotSupportedOnView: 166,
  ViewDepthLimitExceeded: 165,
  OptionNotSupportedOnView: 167,
  MergeStageNoMatchingDocument: 13113,
  Location40414: 40414,
  Location40415: 40415,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  Location17419: 17419,
  Location40571: 40571,
  Location40323: 40323,
} as const;

export type CodeName = keyof typeof Codes;

const names = new Map<number, string>(Object.entries(Codes).map(([name, code]) => [code, name]));

export function codeName(code: number): string {
  const name = names.get(code);
  return name === undefined || name.startsWith('Location') ? `Location${code}` : name;
}

/** An error the client should see as `{ok: 0, errmsg, code, codeName}` (or as a writeError entry). */
export class CommandError extends Error {
  readonly code: number;
  readonly extra: Record<string, unknown>;

  constructor(code: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.extra = extra;
  }

  toReply(): Record<string, unknown> {
    return {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: codeName(this.code),
      ...this.extra,
    };
  }

  toWriteError(index: number): Record<string, unknown> {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

export const fail = (code: CodeName, message: string, extra?: Record<string, unknown>): never => {
  throw new CommandError(Codes[code], message, extra);
};

/**
 * mingo reports every problem as a MingoError with a message; MongoDB distinguishes them by code.
 * The mapping is by message because that is all mingo gives us.
 */
export function fromMingo(err: unknown, context: 'query' | 'update' | 'aggregate'): CommandError {
  if (err instanceof CommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof MingoError) && !(err instanceof Error))
    return new CommandError(Codes.InternalError, message);
  if (/immutable field/i.test(message)) return new CommandError(Codes.ImmutableField, message);
  if (/conflict/i.test(message)) return new CommandError(Codes.ConflictingUpdateOperators, message);
  if (
    /non-numeric|must be (an? )?(array|number|object|string)|cannot apply|invalid type|not an array/i.test(
      message,
    )
  ) {
    return new CommandError(Codes.TypeMismatch, message);
  }
  const stage = /unregistered pipeline operator (\$\w+)/.exec(message);
  if (stage) return new CommandError(40324, `Unrecognized pipeline stage name: '${stage[1]}'`);
  const expression = /(?:accumulator|expression|operator) '?(\$\w+)'? is not registered/.exec(
    message,
  );
  if (expression)
    return new CommandError(
      Codes.InvalidPipelineOperator,
      `Unrecognized expression '${expression[1]}'`,
    );
  const queryOp = /unknown query operator (\$\w+)/.exec(message);
  if (queryOp) return new CommandError(Codes.BadValue, `unknown operator: ${queryOp[1]}`);
  if (context === 'update' && /unknown update operator/i.test(message)) {
    return new CommandError(Codes.FailedToParse, message);
  }
  if (err instanceof MingoError) return new CommandError(Codes.BadValue, message);
  // mingo also throws plain Errors for unknown operators and bad expressions.
  return new CommandError(Codes.BadValue, message);
}

/** A feature this server does not implement: refused by name with NotImplemented, never ignored. */
export const notSupported = (what: string): CommandError =>
  new CommandError(Codes.NotImplemented, `${what} is not supported by the development server`);
