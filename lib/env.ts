import { createAppEnv } from '@/lib/env-spec';

/**
 * Every environment variable the app, the worker and the scripts read, validated once; nothing
 * else reads process.env. `next build` evaluates modules without a deployment behind it (Next
 * sets NEXT_PHASE for its build workers), so validation waits for a server to start.
 */
export const env = createAppEnv({
  skipValidation: process.env.NEXT_PHASE === 'phase-production-build',
});
