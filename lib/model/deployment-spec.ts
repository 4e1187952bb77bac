import { z } from 'zod';
import { DEPLOYMENT_NAME_PATTERN, REGION_NAME_PATTERN } from '../contract/names';

/**
 * Cache deployments: named topologies (a primary and its regional replicas) that Propagate can
 * push to and that services can read from. Declared in the environment, never in the browser.
 * Pure (no env, no I/O) so the env module, the devstack and the tests share one parser.
 */

export const deploymentName = z
  .string()
  .regex(DEPLOYMENT_NAME_PATTERN, 'a deployment name is lower-case letters, digits and dashes');

export const regionName = z
  .string()
  .regex(
    REGION_NAME_PATTERN,
    'a region name is lower-case letters, digits and dashes (at most 63)',
  );

export const redisUrl = z.url({
  protocol: /^rediss?$/,
  error: 'must be a redis:// or rediss:// URL',
});

/** A declared URL may not carry a password: credentials come from variables the entry names. */
const declaredUrl = redisUrl.refine((url) => !new URL(url).password, {
  message: 'must not contain a password; name the variable that holds it in passwordVar',
});

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable');

const endpointSchema = z.strictObject({
  region: regionName,
  url: declaredUrl,
  /**
   * Cluster deployments only: the region's further nodes. A cluster primary's `url` and `nodes`
   * are seeds (any masters); a replica region lists its replica nodes, one per shard at least,
   * by the address the cluster announces (CLUSTER SLOTS), since reads are routed by it.
   */
  nodes: z.array(declaredUrl).min(1).optional(),
});

export const deploymentDeclaration = z
  .strictObject({
    name: deploymentName,
    /** The primary is a Redis Cluster (docs/production.md, "Redis Cluster"). */
    cluster: z.boolean().default(false),
    primary: endpointSchema,
    replicas: z.array(endpointSchema).default([]),
    /** Also implied by rediss:// URLs. */
    tls: z.boolean().default(false),
    /** A PEM file of the CA that signed the servers' certificates (else the system's CAs). */
    tlsCaFile: z.string().min(1).optional(),
    /** The name the certificates carry, when the URLs' host names differ from it. */
    tlsServername: z.string().min(1).optional(),
    usernameVar: envVarName.optional(),
    passwordVar: envVarName.optional(),
  })
  .superRefine((d, ctx) => {
    const regions = [d.primary.region, ...d.replicas.map((r) => r.region)];
    const seen = new Set<string>();
    if (!d.cluster && [d.primary, ...d.replicas].some((e) => e.nodes))
      ctx.addIssue({ code: 'custom', message: 'nodes are for cluster deployments only' });
    for (const region of regions) {
      if (seen.has(region))
        ctx.addIssue({ code: 'custom', message: `region ${region} is listed twice` });
      seen.add(region);
    }
  });

export type DeploymentDeclaration = z.input<typeof deploymentDeclaration>;

export interface CacheEndpoint {
  deployment: string;
  region: string;
  url: string;
  role: 'primary' | 'replica';
  /** Cluster deployments: the region's further nodes (seeds for the primary). */
  nodes?: string[];
}

/** How to connect: from the environment only (TLS, ACL user and password). */
export interface ConnectionSettings {
  tls: boolean;
  tlsCaFile?: string;
  tlsServername?: string;
  username?: string;
  password?: string;
}

export interface CacheDeployment {
  name: string;
  primary: CacheEndpoint;
  replicas: CacheEndpoint[];
  connection: ConnectionSettings;
  /** Set when the primary is a Redis Cluster and each replica region a set of its nodes. */
  cluster?: true;
}

/** The name the three legacy variables' deployment gets unless CACHE_DEPLOYMENT_NAME says otherwise. */
export const DEFAULT_DEPLOYMENT_NAME = 'default';

export interface DeploymentSources {
  /** CACHE_DEPLOYMENTS: a JSON array of declarations (or the content of CACHE_DEPLOYMENTS_FILE). */
  declared?: { text: string; origin: string };
  /** REDIS_PRIMARY_REGION / REDIS_PRIMARY_URL / REDIS_REPLICAS, already validated. */
  single?: {
    name: string;
    primary: { name: string; url: string };
    replicas: { name: string; url: string }[];
    /** REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS_CA_FILE, REDIS_TLS_SERVERNAME. */
    connection?: Omit<ConnectionSettings, 'tls'>;
  };
  /** Reads a credential variable the declaration names. */
  lookup: (variable: string) => string | undefined;
}

export class DeploymentConfigError extends Error {
  override name = 'DeploymentConfigError';
}

function where(path: PropertyKey[], entries: unknown[]): string {
  const [index, ...rest] = path;
  const entry = typeof index === 'number' ? entries[index] : undefined;
  const name =
    entry && typeof entry === 'object' && 'name' in entry && typeof entry.name === 'string'
      ? `deployment "${entry.name}"`
      : typeof index === 'number'
        ? `deployment #${index + 1}`
        : 'the list';
  return rest.length ? `${name}, ${rest.join('.')}` : name;
}

function settingsFor(
  d: z.output<typeof deploymentDeclaration>,
  lookup: DeploymentSources['lookup'],
  origin: string,
): ConnectionSettings {
  const read = (variable: string | undefined, what: string): string | undefined => {
    if (!variable) return undefined;
    const value = lookup(variable);
    if (!value)
      throw new DeploymentConfigError(
        `${origin}: deployment "${d.name}" names ${variable} for its ${what}, but ${variable} is not set`,
      );
    return value;
  };
  const urls = [d.primary, ...d.replicas].flatMap((e) => [e.url, ...(e.nodes ?? [])]);
  return {
    tls: d.tls || urls.some((u) => u.startsWith('rediss:')),
    ...(d.tlsCaFile && { tlsCaFile: d.tlsCaFile }),
    ...(d.tlsServername && { tlsServername: d.tlsServername }),
    ...(d.usernameVar && { username: read(d.usernameVar, 'username') }),
    ...(d.passwordVar && { password: read(d.passwordVar, 'password') }),
  };
}

/**
 * Every deployment Propagate knows, the first one being the one active before MongoDB says
 * otherwise. Throws a DeploymentConfigError whose message names the variable and the entry.
 */
export function parseDeployments(sources: DeploymentSources): CacheDeployment[] {
  if (sources.declared) {
    const { text, origin } = sources.declared;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new DeploymentConfigError(
        `${origin} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const entries = Array.isArray(raw) ? raw : [];
    const parsed = z
      .array(deploymentDeclaration, { error: 'must be a JSON array of deployments' })
      .min(1, 'must declare at least one deployment')
      .safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DeploymentConfigError(
        `${origin}: ${issue ? `${where(issue.path, entries)}: ${issue.message}` : 'invalid'}`,
      );
    }
    const names = new Set<string>();
    for (const d of parsed.data) {
      if (names.has(d.name))
        throw new DeploymentConfigError(`${origin}: deployment "${d.name}" is declared twice`);
      names.add(d.name);
    }
    return parsed.data.map((d) => ({
      name: d.name,
      ...(d.cluster && { cluster: true as const }),
      primary: { deployment: d.name, role: 'primary', ...d.primary },
      replicas: d.replicas.map((r) => ({ deployment: d.name, role: 'replica' as const, ...r })),
      connection: settingsFor(d, sources.lookup, origin),
    }));
  }
  if (sources.single) {
    const { name, primary, replicas, connection } = sources.single;
    // The three variables keep working as they always did: credentials may sit in the URL.
    return [
      {
        name,
        primary: { deployment: name, region: primary.name, url: primary.url, role: 'primary' },
        replicas: replicas.map((r) => ({
          deployment: name,
          region: r.name,
          url: r.url,
          role: 'replica' as const,
        })),
        connection: { ...connection, tls: primary.url.startsWith('rediss:') },
      },
    ];
  }
  throw new DeploymentConfigError(
    'no cache deployment: set REDIS_PRIMARY_URL (and REDIS_REPLICAS), or CACHE_DEPLOYMENTS / CACHE_DEPLOYMENTS_FILE',
  );
}

/** Every endpoint of a deployment, primary first. */
export function endpointsOf(d: CacheDeployment): CacheEndpoint[] {
  return [d.primary, ...d.replicas];
}
