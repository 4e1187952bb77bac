/** The parts of `INFO replication` the dashboard shows. */
export interface ReplicationInfo {
  role: 'master' | 'slave' | 'unknown';
  linkUp: boolean | null;
  /** Seconds the replica has had no link to the primary (only while down). */
  linkDownSinceSeconds: number | null;
  /** Bytes of replication stream the replica has not applied yet (primary offset − replica offset). */
  connectedReplicas: number | null;
}

export function parseReplicationInfo(info: string): ReplicationInfo {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const role = fields.get('role');
  const link = fields.get('master_link_status');
  const downSince = fields.get('master_link_down_since_seconds');
  const replicas = fields.get('connected_slaves');
  return {
    role: role === 'master' || role === 'slave' ? role : 'unknown',
    linkUp: link === undefined ? null : link === 'up',
    linkDownSinceSeconds: downSince !== undefined && downSince !== '-1' ? Number(downSince) : null,
    connectedReplicas: replicas !== undefined ? Number(replicas) : null,
  };
}
