import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { down, TEST_REGIONS, up } from '../devstack/stack';
import { run } from './processes';
import { TEST_STACK_DIR } from '../devstack/state';
import { stackEnv, testLogEnv } from './stack-env';

/**
 * `npm test`: the gate (lint, types, format) and every suite. Integration and e2e share one
 * devstack in its own directory on free ports, so a running demo is never touched; it is stopped
 * at the end whatever happened.
 */
const dir = TEST_STACK_DIR;
const npx = (bin: string, args: string[], env?: NodeJS.ProcessEnv) =>
  run(process.execPath, [path.join('node_modules', '.bin', bin), ...args], {
    env: env ?? process.env,
  });

const started = Date.now();
const failures: string[] = [];
/** Failing tests by name, printed again at the very end: CI shows only the tail of a long run. */
const failedTests: string[] = [];

// Vitest writes a JSON report beside its usual output, read back for the names of failed tests.
const vitest = async (project: string, env?: NodeJS.ProcessEnv) => {
  const report = path.join(dir, `vitest-${project}.json`);
  rmSync(report, { force: true });
  try {
    await npx(
      'vitest',
      [
        'run',
        '--project',
        project,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      env,
    );
  } finally {
    failedTests.push(...failedIn(report, project));
  }
};

interface VitestReport {
  testResults: {
    name: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

function failedIn(report: string, project: string): string[] {
  let parsed: VitestReport;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
  } catch {
    return [];
  }
  const firstLine = (text = '') => text.split('\n')[0]!.slice(0, 200);
  return parsed.testResults.flatMap((file) => {
    const where = path.relative(process.cwd(), file.name);
    const failed = file.assertionResults.filter((test) => test.status === 'failed');
    if (failed.length === 0 && file.message)
      return [`${project} ${where}: ${firstLine(file.message)}`];
    return failed.map(
      (test) => `${project} ${where} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`,
    );
  });
}
// Every step runs even after one fails, so one run shows everything that needs fixing.
const step = async (name: string, fn: () => Promise<void>) => {
  console.log(`\n━━ ${name}`);
  const t = Date.now();
  try {
    await fn();
    console.log(`━━ ${name}: passed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  } catch (error) {
    failures.push(name);
    console.error(`━━ ${name}: FAILED (${(error as Error).message})`);
  }
};

try {
  await step('lint', () => npx('eslint', ['.']));
  await step('typecheck', () => npx('tsc', ['--noEmit']));
  await step('format', () => npx('prettier', ['--check', '.']));
  await step('unit tests', () => vitest('unit'));

  console.log('\n━━ devstack');
  const stack = await up({ dir, regions: TEST_REGIONS, log: (line) => console.log(`  ${line}`) });
  console.log(`━━ devstack ${stack.reused ? 'reused' : 'started'} (MongoDB: ${stack.mongoTier})`);
  const env = { ...process.env, ...stackEnv(dir), ...testLogEnv() };

  await step('integration tests', () => vitest('int', env));
  await step('build', () => npx('next', ['build'], { ...env, NODE_ENV: 'production' }));
  await step('e2e tests (Chromium)', () => npx('playwright', ['test'], env));
} catch (error) {
  failures.push(`devstack (${(error as Error).message})`);
} finally {
  if (process.env.PROPAGATE_KEEP_STACK !== '1') await down(dir).catch(() => {});
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (failedTests.length)
  console.log(`\nfailed tests:\n${failedTests.map((t) => `  ✗ ${t}`).join('\n')}`);
console.log(
  failures.length
    ? `\n✗ failed: ${failures.join(', ')} (${seconds} s)`
    : `\n✓ all passed in ${seconds} s`,
);
process.exit(failures.length ? 1 : 0);
