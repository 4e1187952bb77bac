import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { parseLogLevel, type LogLevel } from '@/lib/log-level';

/**
 * Structured JSON logs, one line per event, for every server-side process (Next, the worker).
 * Every line written while a request is handled carries its `requestId`: the route or action
 * opens the context, the version it commits keeps the id, and the worker reopens it when it
 * retries that version's push, so one save can be followed from the click to the cache.
 *
 * `LOG_LEVEL` (default info) is read here rather than through lib/env.ts: the logger sits below
 * the env (every layer logs) and must exist in processes that have no database configured.
 */

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** A caller's own id is kept when it looks like one (no spaces, quotes or control characters). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The incoming `X-Request-Id` if it is usable, otherwise a new one. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && REQUEST_ID.test(header) ? header : randomUUID();
}

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

/** Runs `fn` with `requestId` on every log line it writes, however deep. */
export function withRequestId<T>(requestId: string | null | undefined, fn: () => T): T {
  return requestId ? requestContext.run({ requestId }, fn) : fn();
}

type Sink = (line: string) => void;
const toStdout: Sink = (line) => void process.stdout.write(line);

interface Shared {
  logger: Logger;
  setSink: (sink: Sink) => void;
}
const globalForLog = globalThis as unknown as { propagateLog?: Shared };

function create(): Shared {
  let sink = toStdout;
  const logger = pino(
    {
      level: parseLogLevel(process.env.LOG_LEVEL),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      // A URL with a password or a token never reaches a log line as it was given.
      redact: {
        paths: ['password', 'secret', 'token', '*.password', '*.secret', '*.token'],
        remove: true,
      },
    },
    { write: (line: string) => sink(line) },
  );
  return { logger, setSink: (next) => (sink = next) };
}

// Next may bundle this module into several chunks: one logger (and one capture) per process.
const shared = (globalForLog.propagateLog ??= create());

/** The process's logger; `log.child({ component: 'worker' })` names where a line comes from. */
export const log: Logger = shared.logger;

/**
 * Sends every log line to `sink` until the returned function restores stdout and the level
 * (tests). `level` lowers (or raises) the threshold for the capture: the test environment runs
 * at warn, and a test that reads info lines says so. Child loggers follow, since they inherit
 * the level unless given their own.
 */
export function captureLogs(sink: Sink, { level }: { level?: LogLevel } = {}): () => void {
  const previous = shared.logger.level;
  if (level) shared.logger.level = level;
  shared.setSink(sink);
  return () => {
    shared.setSink(toStdout);
    shared.logger.level = previous;
  };
}

/** An error as log fields: its message and stack, never the object (which may hold secrets). */
export function errorFields(error: unknown): { err: { message: string; stack?: string } } {
  return error instanceof Error
    ? { err: { message: error.message, stack: error.stack } }
    : { err: { message: String(error) } };
}
