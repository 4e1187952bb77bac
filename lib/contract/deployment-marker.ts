/**
 * The active-deployment marker: part of the public cache contract (lib/config-client/README.md, "Following a cache migration"). Pure,
 * no imports, so the config client can be lifted out with it.
 *
 * | key / channel                     | type    | content                                         |
 * | --------------------------------- | ------- | ----------------------------------------------- |
 * | `propagate:active-deployment`     | hash    | `deployment` (name), `epoch` (integer), `live` (names, comma-separated), `writtenAt` (ms) |
 * | `propagate:deployment-updates`    | pub/sub | JSON `{deployment, epoch, live}` after every accepted write |
 *
 * Propagate writes it to the primary of every live deployment (replication carries it to the
 * replicas) whenever the active deployment changes or a migration finishes, with an epoch one
 * higher than before. `live` lists the deployments saves still reach: a reader may close its
 * connections to any other (a finished migration retired it); a marker without it retires none. A reader
 * that sees several markers (one per deployment it can reach) follows the highest epoch; a
 * marker with a lower epoch than the one it follows is ignored. No marker at all means epoch 0:
 * the reader's first (home) deployment.
 */
export const ACTIVE_DEPLOYMENT_KEY = 'propagate:active-deployment';
export const DEPLOYMENT_CHANNEL = 'propagate:deployment-updates';

export interface DeploymentMarker {
  deployment: string;
  epoch: number;
  /** The deployments saves still reach (the active one among them); absent: not said. */
  live?: string[];
}

const liveList = (raw: unknown): { live?: string[] } => {
  if (typeof raw === 'string' && raw) return { live: raw.split(',').filter(Boolean) };
  if (Array.isArray(raw) && raw.every((n) => typeof n === 'string')) return { live: raw };
  return {};
};

/** From HMGET deployment epoch live; null when absent or malformed. */
export function parseMarker(fields: (string | null | undefined)[]): DeploymentMarker | null {
  const [deployment, epoch, live] = fields;
  if (!deployment || epoch == null) return null;
  const e = Number(epoch);
  if (!Number.isInteger(e) || e < 0) return null;
  return { deployment, epoch: e, ...liveList(live) };
}

export function parseMarkerMessage(raw: string): DeploymentMarker | null {
  try {
    const m = JSON.parse(raw) as Partial<DeploymentMarker>;
    if (typeof m.deployment === 'string' && Number.isInteger(m.epoch) && (m.epoch ?? -1) >= 0)
      return { deployment: m.deployment, epoch: m.epoch as number, ...liveList(m.live) };
  } catch {
    // Ignored: the periodic marker read catches up.
  }
  return null;
}

/**
 * The marker to follow among those read: the highest epoch wins. Equal epochs naming different
 * deployments cannot come from Propagate (MongoDB hands out epochs); the one already followed
 * is kept then, so a corrupt copy cannot make a reader flap.
 */
export function newestMarker(
  current: DeploymentMarker,
  seen: readonly (DeploymentMarker | null)[],
): DeploymentMarker {
  let best = current;
  for (const m of seen) if (m && m.epoch > best.epoch) best = m;
  return best;
}

/**
 * KEYS[1] propagate:active-deployment; ARGV deployment, epoch, message, channel, live (the
 * names comma-separated; empty: not said).
 * Writes only a higher epoch (the same marker again is a no-op), then announces it.
 * Returns {1, epoch} when written, {0, currentEpoch} when refused or unchanged.
 */
export const MARKER_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], 'epoch')
if cur and tonumber(cur) >= tonumber(ARGV[2]) then
  return {0, tonumber(cur)}
end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'deployment', ARGV[1], 'epoch', ARGV[2],
  'writtenAt', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
if ARGV[5] and ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'live', ARGV[5])
else
  redis.call('HDEL', KEYS[1], 'live')
end
redis.call('PUBLISH', ARGV[4], ARGV[3])
return {1, tonumber(ARGV[2])}
`;

/** MARKER_SCRIPT's key and arguments for writing `marker`, in the script's order. */
export function markerScriptArgs(marker: DeploymentMarker): string[] {
  return [
    ACTIVE_DEPLOYMENT_KEY,
    marker.deployment,
    String(marker.epoch),
    JSON.stringify(marker),
    DEPLOYMENT_CHANNEL,
    (marker.live ?? []).join(','),
  ];
}
