import { spawn } from 'node:child_process';
import { chosenStackDir } from '../devstack/state';
import { stackEnv } from './stack-env';

/**
 * `with-devstack-env <command...>`: runs a command with the devstack's endpoints in its
 * environment (PROPAGATE_DEVSTACK_DIR picks the stack; `.devstack` by default). Variables already
 * set win, so the same scripts run against a real deployment.
 */
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-devstack-env <command> [args...]');
  process.exit(2);
}

const dir = chosenStackDir();
let fromStack: Record<string, string> = {};
if (
  !process.env.REDIS_PRIMARY_URL &&
  !process.env.CACHE_DEPLOYMENTS &&
  !process.env.CACHE_DEPLOYMENTS_FILE
) {
  try {
    fromStack = stackEnv(dir);
  } catch (error) {
    console.error(`${(error as Error).message}\nStart one with: npm run stack:up`);
    process.exit(1);
  }
}

const child = spawn(command, args, { stdio: 'inherit', env: { ...fromStack, ...process.env } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
