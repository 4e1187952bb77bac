import 'server-only';
import {
  MARKER_SCRIPT,
  markerScriptArgs,
  type DeploymentMarker,
} from '@/lib/contract/deployment-marker';
import { getCacheState } from '@/lib/db/cache-state';
import { liveDeployments } from '@/lib/model/migration';
import { deploymentPrimaryRedis, type RedisClient } from '@/lib/redis/clients';

type MarkerReply = [0 | 1, number];

function withMarkerCommand(
  redis: RedisClient,
): RedisClient & { propagateMarker: (...args: string[]) => Promise<MarkerReply> } {
  if (!('propagateMarker' in redis)) {
    redis.defineCommand('propagateMarker', { numberOfKeys: 1, lua: MARKER_SCRIPT });
  }
  return redis as RedisClient & { propagateMarker: (...args: string[]) => Promise<MarkerReply> };
}

/**
 * Writes the marker to one deployment's primary; a primary that already holds this epoch or a
 * higher one keeps it. Throws when the primary cannot be reached.
 */
export async function writeMarker(
  deployment: string,
  marker: DeploymentMarker,
): Promise<'written' | 'unchanged'> {
  const [written] = await withMarkerCommand(deploymentPrimaryRedis(deployment)).propagateMarker(
    ...markerScriptArgs(marker),
  );
  return written === 1 ? 'written' : 'unchanged';
}

/** The marker to every deployment given, in parallel; which of them could not be reached. */
export async function writeMarkerEverywhere(
  deployments: readonly string[],
  marker: DeploymentMarker,
): Promise<{ unreachable: string[] }> {
  const results = await Promise.allSettled(deployments.map((d) => writeMarker(d, marker)));
  return {
    unreachable: deployments.filter((_, i) => results[i]?.status === 'rejected'),
  };
}

/**
 * The worker's pass: the marker in every live deployment's primary says what MongoDB says, also
 * after a primary restarted empty or missed a write while it was down.
 */
export async function keepMarkers(): Promise<{ unreachable: string[] }> {
  const state = await getCacheState();
  const live = liveDeployments(state);
  return writeMarkerEverywhere(live, { deployment: state.active, epoch: state.epoch, live });
}
