import { down, status, TEST_REGIONS, up } from '../../devstack/stack';
import { TEST_STACK_DIR } from '../../devstack/state';
import { stackEnv, testLogEnv } from '../../scripts/stack-env';

/**
 * Vitest globalSetup of the `int` project: gives the suites a devstack and its endpoints.
 *
 * Vitest snapshots `process.env` for the forked test workers after global setup has run (each
 * project's env is built from `...process.env` when its first pool worker starts), so writing the
 * stack's env record here is what the suites see. When `PROPAGATE_DEVSTACK_DIR` is already set
 * (`npm test` starts one stack for all suites) that stack is reused and left running.
 */

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  // lib/env validates at import and the stack's env record has no session secret.
  process.env.SESSION_SECRET ??= 'x'.repeat(32);
  const shared = process.env.PROPAGATE_DEVSTACK_DIR;
  if (shared) {
    const current = await status(shared);
    if (!current?.healthy) {
      throw new Error(
        `PROPAGATE_DEVSTACK_DIR=${shared} is set but that stack is ${current ? `unhealthy: ${current.problems.join('; ')}` : 'not running'}`,
      );
    }
    Object.assign(process.env, stackEnv(shared), testLogEnv());
    return undefined;
  }

  const started = Date.now();
  const stack = await up({
    dir: TEST_STACK_DIR,
    regions: TEST_REGIONS,
    log: (line) => console.log(`[devstack] ${line}`),
  });
  console.log(
    `[devstack] ${stack.reused ? 'reused' : 'started'} in ${Date.now() - started} ms, mongo tier: ${stack.mongoTier ?? 'none'}`,
  );
  Object.assign(process.env, stackEnv(stack.dir), testLogEnv());

  return async () => {
    if (process.env.PROPAGATE_KEEP_STACK === '1') {
      console.log(`[devstack] kept running in ${TEST_STACK_DIR} (PROPAGATE_KEEP_STACK=1)`);
      return;
    }
    // A stack that was already running before this run belongs to whoever started it.
    if (!stack.reused) await down(TEST_STACK_DIR);
  };
}
