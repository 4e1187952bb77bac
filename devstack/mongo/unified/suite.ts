import { readdirSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import { refusalFor, skipFor } from './expectations.js';
import { OperationFailed, runTest } from './runner.js';
import {
  type ServerInfo,
  type TestCase,
  type TestFile,
  loadTestFile,
  requirementsUnmet,
  schemaUnsupported,
  serverInfo,
} from './test-file.js';

export type Status = 'passed' | 'failed' | 'skipped' | 'refused';

export interface Outcome {
  file: string;
  test: string;
  status: Status;
  /** Why it was skipped, why it failed, or the documented refusal it met. */
  reason?: string;
}

/** The server under test: its URI, one internal client, and whether it is the dev server. */
export interface Target {
  uri: string;
  internal: MongoClient;
  info: ServerInfo;
  devServer: boolean;
}

export async function openTarget(uri: string): Promise<Target> {
  const internal = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await internal.connect();
  const info = await serverInfo(internal, uri);
  const build = await internal.db('admin').command({ buildInfo: 1 });
  return { uri, internal, info, devServer: build.gitVersion === 'propagate-devstack' };
}

export function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Runs one test against a target. A test the dev server documents as refused counts as
 * `refused` only when it failed with exactly that refusal: anything else is a failure, so a
 * silently wrong answer can never hide behind the list.
 */
export async function evaluate(
  filePath: string,
  file: TestFile,
  test: TestCase,
  target: Target,
): Promise<Outcome> {
  const name = path.basename(filePath);
  const base = { file: name, test: test.description };
  const skip =
    schemaUnsupported(file) ??
    requirementsUnmet(file.runOnRequirements, target.info) ??
    requirementsUnmet(test.runOnRequirements, target.info) ??
    test.skipReason ??
    skipFor(name, test.description);
  if (skip) return { ...base, status: 'skipped', reason: skip };

  const refusal = target.devServer ? refusalFor(name, test.description) : undefined;
  try {
    await runTest(file, test, target.uri, target.internal);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (refusal && err instanceof OperationFailed) {
      const cause = err.cause;
      if (
        cause instanceof MongoServerError &&
        cause.code === refusal.code &&
        cause.message.includes(refusal.names)
      )
        return { ...base, status: 'refused', reason: refusal.reason };
    }
    return { ...base, status: 'failed', reason };
  }
  if (refusal)
    return {
      ...base,
      status: 'failed',
      reason: `passed although documented as refused (${refusal.reason}): update expectations.ts`,
    };
  return { ...base, status: 'passed' };
}

export async function* runDirectory(dir: string, target: Target): AsyncGenerator<Outcome> {
  for (const filePath of testFiles(dir)) {
    const file = loadTestFile(filePath);
    for (const test of file.tests) yield await evaluate(filePath, file, test, target);
  }
}
