import { readFileSync } from 'node:fs';
import { createEnv } from '@t3-oss/env-nextjs';
import { z } from 'zod';
import { logLevel } from './log-level';
import {
  KEY_ID_PATTERN,
  parseSecretKeys,
  type SealingKey,
  type SecretKeys,
} from './contract/secret-envelope';
import {
  DEFAULT_DEPLOYMENT_NAME,
  deploymentName,
  parseDeployments,
  redisUrl,
  regionName,
  type CacheDeployment,
} from './model/deployment-spec';

/** The schema of every environment variable the app, the worker and the scripts read. */

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

/** `kid:base64key,kid:base64key` (lib/contract/secret-envelope.ts): each entry's fault named. */
const secretKeyring = z
  .string()
  .optional()
  .transform((raw, ctx): SecretKeys | undefined => {
    if (raw === undefined) return undefined;
    try {
      return parseSecretKeys(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
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
      /** The single-deployment form; CACHE_DEPLOYMENTS(_FILE) declares several instead. */
      REDIS_PRIMARY_URL: redisUrl.optional(),
      REDIS_REPLICAS: replicaList,
      /** The single-deployment form's ACL user (CACHE_DEPLOYMENTS names its own variables). */
      REDIS_USERNAME: z.string().min(1).optional(),
      REDIS_PASSWORD: z.string().min(1).optional(),
      /** rediss:// only: the CA that signed the servers' certificates, and the name they carry. */
      REDIS_TLS_CA_FILE: z.string().min(1).optional(),
      REDIS_TLS_SERVERNAME: z.string().min(1).optional(),
      CACHE_DEPLOYMENT_NAME: deploymentName.default(DEFAULT_DEPLOYMENT_NAME),
      /** A JSON array of cache deployments (lib/model/deployment-spec.ts); the first starts active. */
      CACHE_DEPLOYMENTS: z.string().optional(),
      CACHE_DEPLOYMENTS_FILE: z.string().optional(),
      /**
       * The keys that seal client and webhook secrets in the cache entries (docs/security.md):
       * every key a service may still meet, `kid:base64key,…` (32-byte keys). Unset, secrets
       * are pushed in plain text.
       */
      CACHE_SECRET_KEYS: secretKeyring,
      /** The key id in CACHE_SECRET_KEYS that new entries are sealed with. */
      CACHE_SECRET_KEY_ID: z
        .string()
        .regex(KEY_ID_PATTERN, `must match ${KEY_ID_PATTERN}`)
        .optional(),
      /** How long the migration's verify step must see zero mismatches before cut-over opens. */
      MIGRATION_VERIFY_WINDOW_MS: z.coerce
        .number()
        .int()
        .min(1_000)
        .max(3_600_000)
        .default(300_000),
      /** How long a region may take to answer a status read before it counts as unreachable. */
      REGION_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(800),
      /** How long a region may be behind the head before "propagating" becomes "lagging". */
      LAG_BUDGET_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
      SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
      /**
       * The key of the fingerprints shown instead of config checksums (lib/fingerprint.ts). When
       * unset, one is derived from SESSION_SECRET, which is as secret and already required.
       */
      PROPAGATE_FINGERPRINT_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
      /**
       * How many proxies in front of the app append to X-Forwarded-For (a load balancer: 1).
       * The client's address is the entry that many from the right; 0 means none in front.
       */
      TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
      /**
       * The bearer token Prometheus sends to `GET /api/metrics` (and the worker's metrics port).
       * Unset, the endpoint does not exist (404).
       */
      PROPAGATE_METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
      /** The worker serves its own metrics (push retries, arrival times) on this port when set. */
      PROPAGATE_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
      /**
       * Event notifications may go to loopback addresses (and over http there): the devstack
       * sets it for tests. Never in production: endpoints must be https on public addresses.
       */
      WEBHOOKS_ALLOW_LOOPBACK: z
        .enum(['0', '1', 'false', 'true'])
        .default('0')
        .transform((v) => v === '1' || v === 'true'),
      /** The first retry of a failed notification; each further one doubles (with jitter). */
      WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
      /** How long one notification attempt may take, connection to answer. */
      WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
      /**
       * How much the processes log (lib/log.ts reads it when the logger is made; validated here
       * too, so a server's start names it with every other wrong variable).
       */
      LOG_LEVEL: logLevel,
      /** Set only by the devstack; the e2e guard and the fault CLI refuse to run without it. */
      PROPAGATE_DEVSTACK_DIR: z.string().optional(),
    },
    client: {},
    experimental__runtimeEnv: {},
    skipValidation,
    emptyStringAsUndefined: true,
  });
}

type AppEnv = ReturnType<typeof createAppEnv>;

/**
 * The key the push seals secrets with, or null when sealing is off (no CACHE_SECRET_KEYS).
 * Throws a message naming the variables when the two disagree.
 */
export function loadCacheSealingKey(
  env: Pick<AppEnv, 'CACHE_SECRET_KEYS' | 'CACHE_SECRET_KEY_ID'>,
): SealingKey | null {
  const keys = env.CACHE_SECRET_KEYS;
  const kid = env.CACHE_SECRET_KEY_ID;
  if (!keys) {
    if (kid) throw new Error('CACHE_SECRET_KEY_ID is set but CACHE_SECRET_KEYS is not');
    return null;
  }
  if (!kid)
    throw new Error(
      'CACHE_SECRET_KEYS is set: set CACHE_SECRET_KEY_ID to the key id new entries are sealed with',
    );
  const key = keys.get(kid);
  if (!key)
    throw new Error(
      `CACHE_SECRET_KEY_ID "${kid}" is not in CACHE_SECRET_KEYS (it lists ${[...keys.keys()].join(', ')})`,
    );
  return { kid, key };
}

/**
 * The cache deployments the env declares. Credentials are read from the variables a declaration
 * names (this is the env module: the one place that reads process.env). Throws a message that
 * names the variable and the entry.
 */
export function loadCacheDeployments(
  env: Pick<
    AppEnv,
    | 'CACHE_DEPLOYMENTS'
    | 'CACHE_DEPLOYMENTS_FILE'
    | 'CACHE_DEPLOYMENT_NAME'
    | 'REDIS_PRIMARY_REGION'
    | 'REDIS_PRIMARY_URL'
    | 'REDIS_REPLICAS'
    | 'REDIS_USERNAME'
    | 'REDIS_PASSWORD'
    | 'REDIS_TLS_CA_FILE'
    | 'REDIS_TLS_SERVERNAME'
  >,
  lookup: (variable: string) => string | undefined = (variable) => process.env[variable],
): CacheDeployment[] {
  let declared: { text: string; origin: string } | undefined;
  if (env.CACHE_DEPLOYMENTS && env.CACHE_DEPLOYMENTS_FILE)
    throw new Error('set CACHE_DEPLOYMENTS or CACHE_DEPLOYMENTS_FILE, not both');
  if (env.CACHE_DEPLOYMENTS)
    declared = { text: env.CACHE_DEPLOYMENTS, origin: 'CACHE_DEPLOYMENTS' };
  if (env.CACHE_DEPLOYMENTS_FILE) {
    const origin = `CACHE_DEPLOYMENTS_FILE (${env.CACHE_DEPLOYMENTS_FILE})`;
    try {
      declared = { text: readFileSync(env.CACHE_DEPLOYMENTS_FILE, 'utf8'), origin };
    } catch (error) {
      throw new Error(
        `${origin} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (declared && env.REDIS_PRIMARY_URL)
    throw new Error(
      `set REDIS_PRIMARY_URL or ${declared.origin.split(' ')[0]}, not both: declare the single deployment in the list`,
    );
  return parseDeployments({
    declared,
    single: env.REDIS_PRIMARY_URL
      ? {
          name: env.CACHE_DEPLOYMENT_NAME,
          primary: { name: env.REDIS_PRIMARY_REGION, url: env.REDIS_PRIMARY_URL },
          replicas: env.REDIS_REPLICAS,
          connection: {
            ...(env.REDIS_USERNAME && { username: env.REDIS_USERNAME }),
            ...(env.REDIS_PASSWORD && { password: env.REDIS_PASSWORD }),
            ...(env.REDIS_TLS_CA_FILE && { tlsCaFile: env.REDIS_TLS_CA_FILE }),
            ...(env.REDIS_TLS_SERVERNAME && { tlsServername: env.REDIS_TLS_SERVERNAME }),
          },
        }
      : undefined,
    lookup,
  });
}
