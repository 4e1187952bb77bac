/**
 * What `INFO replication` on the client's own Redis says about its link to the primary. A replica
 * whose link is down still answers every read, so the stamp it returns looks current; this is
 * the only way a client can tell it may be serving an old version.
 */
export interface ReplicaLink {
  role: 'master' | 'slave' | 'unknown';
  /** null when the server is the primary itself (no link to watch). */
  linkUp: boolean | null;
  /** Seconds since the replica declared the link down, when it says (Redis: -1 = unknown). */
  downForSeconds: number | null;
}

export function parseReplicationInfo(info: string): ReplicaLink {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const role = fields.get('role');
  if (role === 'master') return { role: 'master', linkUp: null, downForSeconds: null };
  if (role !== 'slave') return { role: 'unknown', linkUp: null, downForSeconds: null };
  const linkUp = fields.get('master_link_status') === 'up';
  const down = Number(fields.get('master_link_down_since_seconds'));
  return {
    role: 'slave',
    linkUp,
    downForSeconds: !linkUp && Number.isFinite(down) && down >= 0 ? down : null,
  };
}
