import path from 'node:path';
import { down, TEST_REGIONS, up } from '../devstack/stack';
import { run } from './processes';
import { TEST_STACK_DIR } from '../devstack/state';
import { stackEnv } from './stack-env';

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
  await step('unit tests', () => npx('vitest', ['run', '--project', 'unit']));

  console.log('\n━━ devstack');
  const stack = await up({ dir, regions: TEST_REGIONS, log: (line) => console.log(`  ${line}`) });
  console.log(`━━ devstack ${stack.reused ? 'reused' : 'started'} (MongoDB: ${stack.mongoTier})`);
  const env = { ...process.env, ...stackEnv(dir) };

  await step('integration tests', () => npx('vitest', ['run', '--project', 'int'], env));
  await step('build', () => npx('next', ['build'], { ...env, NODE_ENV: 'production' }));
  await step('e2e tests (Chromium)', () => npx('playwright', ['test'], env));
} catch (error) {
  failures.push(`devstack (${(error as Error).message})`);
} finally {
  if (process.env.PROPAGATE_KEEP_STACK !== '1') await down(dir).catch(() => {});
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  failures.length
    ? `\n✗ failed: ${failures.join(', ')} (${seconds} s)`
    : `\n✓ all passed in ${seconds} s`,
);
process.exit(failures.length ? 1 : 0);
