/**
 * Several cache deployments in one devstack: the stack in `dir` is one deployment (its primary
 * and replicas), and every further one runs as a stack of its own, without MongoDB, in
 * `dir/deployments/<name>`. `dir/cache-deployments.json` then declares them all, in the order
 * given (the first starts active), and the env contract points at it instead of the three
 * single-deployment variables.
 */
import type { DeploymentDeclaration } from '../lib/model/deployment-spec';
import type { RedisCredentials } from './acl';
import { up, type StackInfo } from './stack';
import { deploymentDir, deploymentsFile, writeFileAtomic, type RegionSpec } from './state';

export interface ExtraDeployment {
  name: string;
  primaryRegion: string;
  regions: RegionSpec[];
  /** Regions that reach its primary from afar, through a delayed link each (no replica there). */
  access?: RegionSpec[];
}

/** The declaration of the deployment a stack runs, from its env record. */
export function declarationOf(name: string, env: Record<string, string>): DeploymentDeclaration {
  // A cluster stack declares itself (cluster.ts); it only needs this deployment's name.
  if (env.CACHE_DEPLOYMENTS) {
    const [own] = JSON.parse(env.CACHE_DEPLOYMENTS) as DeploymentDeclaration[];
    if (!own) throw new Error(`the stack for ${name} declares no deployment`);
    return { ...own, name };
  }
  const url = env.REDIS_PRIMARY_URL;
  if (!url) throw new Error(`the stack for ${name} has no primary`);
  return {
    name,
    // Every deployment of one devstack shares its ACL users (acl.ts).
    ...(env.REDIS_USERNAME && { usernameVar: 'REDIS_USERNAME', passwordVar: 'REDIS_PASSWORD' }),
    // Each stack run over TLS has a CA of its own.
    ...(env.REDIS_TLS_CA_FILE && { tlsCaFile: env.REDIS_TLS_CA_FILE }),
    ...(env.REDIS_TLS_SERVERNAME && { tlsServername: env.REDIS_TLS_SERVERNAME }),
    primary: { region: env.REDIS_PRIMARY_REGION ?? 'us-east-1', url },
    replicas: (env.REDIS_REPLICAS ?? '')
      .split(',')
      .filter(Boolean)
      .map((entry) => {
        const eq = entry.indexOf('=');
        return { region: entry.slice(0, eq), url: entry.slice(eq + 1) };
      }),
  };
}

/**
 * Starts (or reuses) every extra deployment beside the stack in `dir` and declares them all.
 * `order` lists the names as services should see them, the first being active at the start;
 * `home` is the name of the stack in `dir` itself.
 */
export async function upDeployments({
  dir,
  home,
  homeEnv,
  homeCredentials,
  extra,
  order,
  log,
}: {
  dir: string;
  home: string;
  homeEnv: Record<string, string>;
  /** The home stack's ACL users: every deployment of one devstack signs in alike. */
  homeCredentials: RedisCredentials;
  extra: ExtraDeployment[];
  order: string[];
  log?: (line: string) => void;
}): Promise<{ declarations: DeploymentDeclaration[]; stacks: StackInfo[] }> {
  const stacks = await Promise.all(
    extra.map((d) =>
      up({
        dir: deploymentDir(dir, d.name),
        primaryRegion: d.primaryRegion,
        regions: d.regions,
        ...(d.access && { access: d.access }),
        mongo: false,
        credentials: homeCredentials,
        ...(log && { log: (line: string) => log(`[${d.name}] ${line}`) }),
      }),
    ),
  );
  const byName = new Map<string, DeploymentDeclaration>([[home, declarationOf(home, homeEnv)]]);
  extra.forEach((d, i) => {
    const stack = stacks[i];
    if (stack) byName.set(d.name, declarationOf(d.name, stack.env));
  });
  const declarations = order.map((name) => {
    const declaration = byName.get(name);
    if (!declaration) throw new Error(`no deployment named ${name} in this stack`);
    return declaration;
  });
  writeFileAtomic(deploymentsFile(dir), `${JSON.stringify(declarations, null, 2)}\n`);
  return { declarations, stacks };
}
