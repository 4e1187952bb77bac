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
