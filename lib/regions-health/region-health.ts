import 'server-only';
import { env } from '@/lib/env';
import { redisFor } from '@/lib/redis/clients';
import { listRegions, type RegionRole } from '@/lib/regions';
import { parseReplicationInfo } from '@/lib/regions-health/parse-replication';

export interface RegionHealth {
  name: string;
  role: RegionRole;
  reachable: boolean;
  /** Round trip of a PING from this server, in ms; null when unreachable. */
  roundTripMs: number | null;
  /** Replicas: whether the replication link to the primary is up. Primary: null. */
  linkUp: boolean | null;
  linkDownSinceSeconds: number | null;
  connectedReplicas: number | null;
  error: string | null;
  checkedAt: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms),
    ),
  ]);
}

/** Every region checked in parallel; one slow region costs its timeout, not everyone's. */
export async function checkRegions(): Promise<RegionHealth[]> {
  return Promise.all(
    listRegions().map(async (region): Promise<RegionHealth> => {
      const redis = redisFor(region);
      const started = performance.now();
      try {
        const [pong, info] = await withTimeout(
          Promise.all([redis.ping(), redis.info('replication')]),
          env.REGION_TIMEOUT_MS,
        );
        const roundTripMs = performance.now() - started;
        const repl = parseReplicationInfo(info);
        return {
          name: region.name,
          role: region.role,
          reachable: pong === 'PONG',
          roundTripMs,
          linkUp: region.role === 'replica' ? repl.linkUp : null,
          linkDownSinceSeconds: repl.linkDownSinceSeconds,
          connectedReplicas: repl.connectedReplicas,
          error: null,
          checkedAt: Date.now(),
        };
      } catch (error) {
        return {
          name: region.name,
          role: region.role,
          reachable: false,
          roundTripMs: null,
          linkUp: null,
          linkDownSinceSeconds: null,
          connectedReplicas: null,
          error: error instanceof Error ? error.message : 'unreachable',
          checkedAt: Date.now(),
        };
      }
    }),
  );
}
