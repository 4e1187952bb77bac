import { createEnv } from '@t3-oss/env-nextjs';
import { z } from 'zod';

/** The schema of every environment variable the app, the worker and the scripts read. */

const regionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'a region name is lower-case letters, digits and dashes');

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });

/** `eu-west-1=redis://host:port,ap-south-1=redis://...`: one entry per replica region. */
const replicaList = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const entries = raw
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    const replicas: { name: string; url: string }[] = [];
    for (const entry of entries) {
      const eq = entry.indexOf('=');
      const name = regionName.safeParse(entry.slice(0, eq));
      const url = redisUrl.safeParse(entry.slice(eq + 1));
      if (eq < 1 || !name.success || !url.success) {
        ctx.addIssue({
          code: 'custom',
          message: `"${entry}" is not of the form region=redis://host:port`,
        });
        return z.NEVER;
      }
      replicas.push({ name: name.data, url: url.data });
    }
    return replicas;
  });

/**
 * Builds the validated env. `lib/env.ts` holds the one instance the code uses; next.config.ts
 * calls this when a server starts, so a wrong variable fails at once with its name.
 */
export function createAppEnv({ skipValidation }: { skipValidation: boolean }) {
  return createEnv({
    server: {
      NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
      MONGODB_URI: z.url({ protocol: /^mongodb(\+srv)?$/, error: 'must be a mongodb:// URI' }),
      MONGODB_DB: z.string().min(1).default('propagate'),
      REDIS_PRIMARY_REGION: regionName.default('us-east-1'),
      REDIS_PRIMARY_URL: redisUrl,
      REDIS_REPLICAS: replicaList,
      /** How long a region may take to answer a status read before it counts as unreachable. */
      REGION_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(800),
      /** How long a region may be behind the head before "propagating" becomes "lagging". */
      LAG_BUDGET_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
      SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
      /** Set only by the devstack; the e2e guard and the fault CLI refuse to run without it. */
      PROPAGATE_DEVSTACK_DIR: z.string().optional(),
    },
    client: {},
    experimental__runtimeEnv: {},
    skipValidation,
    emptyStringAsUndefined: true,
  });
}
