/**
 * What `propagate` exits with, so a pipeline can act on the outcome. Stable: scripts depend on
 * these numbers.
 */
export const EXIT = {
  ok: 0,
  /** Network failure, a server error, anything unexpected. */
  error: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** No token, or a malformed, unknown, revoked or too weak one. */
  auth: 3,
  /** The config (or other input) did not validate; nothing was saved. */
  invalid: 4,
  /** The app moved on since the version the change started from; nothing was saved. */
  conflict: 5,
  /** Saved, but not every region (or server) had it before the timeout. */
  notConverged: 6,
  /** No such app or version for this token. */
  notFound: 7,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * What each code means, in order: `propagate --help` prints this list, and a test holds the
 * README's table to the same codes.
 */
export const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'done: saved (or nothing to save) and, with --wait, in every region (and server)',
  error: 'error: network failure or server error',
  usage: 'usage: a wrong command, option or argument',
  auth: 'auth: no token, or a malformed, revoked or read-only one',
  invalid: 'invalid: the file or input did not validate (each field path is named)',
  conflict: 'conflict: the app moved on since --if-match (says what changed)',
  notConverged: 'not converged: not in every region before --timeout (names the regions)',
  notFound: 'not found: no such app or version for this token',
};

/** The exit codes as `--help` shows them, one per line. */
export function exitCodesHelp(): string {
  const lines = (Object.keys(EXIT) as (keyof typeof EXIT)[]).map(
    (name) => `  ${EXIT[name]}  ${EXIT_MEANINGS[name]}`,
  );
  return `Exit codes:\n${lines.join('\n')}`;
}

/** An outcome that ends the command with a code and a message for the person reading. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** What `--json` prints instead of the message. */
    readonly json?: unknown,
  ) {
    super(message);
  }
}
