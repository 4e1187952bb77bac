import { env } from '@/lib/env';
import { loadCacheDeployments } from '@/lib/env-spec';
import type { CacheDeployment } from '@/lib/deployments/spec';

export type { CacheDeployment, CacheEndpoint } from '@/lib/deployments/spec';

let declared: CacheDeployment[] | undefined;

/** Every cache deployment the environment declares (validated once, at first use). */
export function listDeployments(): CacheDeployment[] {
  declared ??= loadCacheDeployments(env);
  return declared;
}

export function findDeployment(name: string): CacheDeployment | undefined {
  return listDeployments().find((d) => d.name === name);
}

/** The deployment services read from until MongoDB records a cut-over: the first declared. */
export function initialDeployment(): CacheDeployment {
  const [first] = listDeployments();
  if (!first) throw new Error('no cache deployment declared');
  return first;
}
