import { readEnvFile } from '../devstack/stack';

/** What must point at the devstack before demo data (with its known passwords) is written. */
const TARGETS = [
  'MONGODB_URI',
  'MONGODB_DB',
  'REDIS_PRIMARY_URL',
  'REDIS_REPLICAS',
  'CACHE_DEPLOYMENTS_FILE',
] as const;

/**
 * Why the demo seed must not run here, or null when it may. The seed creates accounts with a
 * published password, so it runs only against a devstack: PROPAGATE_DEVSTACK_DIR names one, and
 * every MongoDB and Redis target in the environment is the one that stack wrote down.
 */
export function seedRefusal(env: NodeJS.ProcessEnv, read = readEnvFile): string | null {
  const dir = env.PROPAGATE_DEVSTACK_DIR;
  if (!dir) return 'PROPAGATE_DEVSTACK_DIR is not set, so this is not a devstack';
  let stack: Record<string, string>;
  try {
    stack = read(dir);
  } catch (error) {
    return (error as Error).message;
  }
  const foreign = TARGETS.filter((key) => (env[key] ?? '') !== (stack[key] ?? ''));
  return foreign.length
    ? `${foreign.join(', ')} ${foreign.length === 1 ? 'points' : 'point'} elsewhere than the devstack in ${dir}`
    : null;
}
