import { EJSON } from 'bson';
import {
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  MongoServerError,
} from 'mongodb';
import { type MatchContext, match } from './match.js';
import { bulkErrorResult } from './operations.js';
import type { Doc } from './test-file.js';

/** How a test's expectations are compared with what the driver returned, raised and sent. */

export type CommandEvent = CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent;
export interface Observed {
  type: 'commandStartedEvent' | 'commandSucceededEvent' | 'commandFailedEvent';
  event: CommandEvent;
}

export function matchEach(expected: unknown[], actual: unknown, ctx: MatchContext): string | null {
  if (!Array.isArray(actual)) return `expected an array, got ${JSON.stringify(actual)}`;
  if (actual.length !== expected.length)
    return `expected ${expected.length} document(s), got ${actual.length}: ${EJSON.stringify(actual)}`;
  for (let i = 0; i < expected.length; i++) {
    const problem = match(expected[i], actual[i], { root: true, ctx });
    if (problem) return `[${i}] ${problem}`;
  }
  return null;
}

export function checkError(expected: Doc, err: unknown, ctx: MatchContext): string | null {
  const server = err instanceof MongoServerError;
  if (expected.isClientError !== undefined && expected.isClientError !== !server)
    return expected.isClientError ? 'expected a client error' : 'expected a server error';
  if (expected.isTimeoutError === true) return 'timeout errors are not checked by this runner';
  const e = err as MongoServerError & { error?: MongoServerError; writeErrors?: unknown };
  // A client bulk write keeps a top-level error apart from its write errors.
  const top = e.error instanceof MongoServerError ? e.error : e;
  if (typeof expected.errorContains === 'string') {
    const wanted = expected.errorContains.toLowerCase();
    const errmsg = (top.errorResponse as Doc | undefined)?.errmsg;
    const texts = [top.message, typeof errmsg === 'string' ? errmsg : ''].map((t) =>
      t.toLowerCase(),
    );
    if (!texts.some((t) => t.includes(wanted))) return `message lacks "${expected.errorContains}"`;
  }
  if (expected.errorCode !== undefined && top.code !== expected.errorCode)
    return `code ${String(top.code)} is not ${JSON.stringify(expected.errorCode)}`;
  if (
    typeof expected.errorCodeName === 'string' &&
    String(top.codeName ?? '').toLowerCase() !== expected.errorCodeName.toLowerCase()
  )
    return `code name ${String(top.codeName)} is not ${expected.errorCodeName}`;
  for (const label of (expected.errorLabelsContain as string[] | undefined) ?? [])
    if (!server || !e.hasErrorLabel(label)) return `label ${label} missing`;
  for (const label of (expected.errorLabelsOmit as string[] | undefined) ?? [])
    if (server && e.hasErrorLabel(label)) return `label ${label} present`;
  if (expected.errorResponse !== undefined) {
    const problem = match(expected.errorResponse, server ? top.errorResponse : undefined, {
      root: true,
      ctx,
    });
    if (problem) return `errorResponse ${problem}`;
  }
  if (expected.expectResult !== undefined) {
    const problem = match(expected.expectResult, bulkErrorResult(err), { root: true, ctx });
    if (problem) return `result ${problem}`;
  }
  if (expected.writeErrors !== undefined) {
    const actual: unknown =
      e.writeErrors instanceof Map
        ? Object.fromEntries(e.writeErrors as Map<unknown, unknown>)
        : undefined;
    const problem = match(expected.writeErrors, actual, { root: false, ctx });
    if (problem) return `writeErrors ${problem}`;
  }
  return null;
}

export function checkEvents(
  expected: Doc[],
  actual: Observed[],
  ignoreExtra: boolean,
  ctx: MatchContext,
): string | null {
  const seen = ignoreExtra ? actual.slice(0, expected.length) : actual;
  const names = () => actual.map((a) => `${a.type}:${a.event.commandName}`).join(', ');
  if (seen.length !== expected.length)
    return `expected ${expected.length} event(s), observed ${actual.length}: ${names()}`;
  for (let i = 0; i < expected.length; i++) {
    const [type, want] = Object.entries(expected[i] as Doc)[0] as [string, Doc];
    const got = seen[i] as Observed;
    if (got.type !== type) return `[${i}] expected ${type}, observed ${got.type} (${names()})`;
    if (want.commandName !== undefined && want.commandName !== got.event.commandName)
      return `[${i}] command ${got.event.commandName} is not ${JSON.stringify(want.commandName)}`;
    if (want.databaseName !== undefined && want.databaseName !== got.event.databaseName)
      return `[${i}] database ${got.event.databaseName} is not ${JSON.stringify(want.databaseName)}`;
    if (want.command !== undefined) {
      const problem = match(want.command, (got.event as CommandStartedEvent).command, {
        root: true,
        ctx,
      });
      if (problem) return `[${i}] command ${problem}`;
    }
    if (want.reply !== undefined) {
      const problem = match(want.reply, (got.event as CommandSucceededEvent).reply, {
        root: true,
        ctx,
      });
      if (problem) return `[${i}] reply ${problem}`;
    }
  }
  return null;
}
