/**
 * The Redis endpoints of a devstack as its env record states them (REDIS_PRIMARY_REGION,
 * REDIS_PRIMARY_URL, REDIS_REPLICAS), for programs beside the app: the example fleet, the
 * benchmarks and the integration tests.
 */
export interface RegionEndpoints {
  primary: { region: string; url: string };
  replicas: { region: string; url: string }[];
}

/** The endpoints from the env contract, parsed. */
export function endpoints(env: Record<string, string | undefined> = process.env): RegionEndpoints {
  const primaryUrl = env.REDIS_PRIMARY_URL;
  if (!primaryUrl) throw new Error('REDIS_PRIMARY_URL is not set');
  const replicas = (env.REDIS_REPLICAS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      return { region: entry.slice(0, eq), url: entry.slice(eq + 1) };
    });
  return {
    primary: { region: env.REDIS_PRIMARY_REGION ?? 'us-east-1', url: primaryUrl },
    replicas,
  };
}
