/**
 * Reading a region of a Redis Cluster deployment: Propagate's status reads and the config client
 * both read a key from the node of *their* region that serves the key's slot, never from a node
 * elsewhere (which would report another region's state as this one's). Pure: no I/O, no client.
 *
 * A region is declared by its nodes' URLs, by the address the cluster announces for them (what
 * CLUSTER SLOTS lists), so a node is recognised by `host:port`.
 */

export const CLUSTER_SLOTS = 16_384;

/**
 * How often a cluster client re-reads the slot table (CLUSTER SLOTS). ioredis re-reads it only
 * on a redirect or a failed node by default; a region's nodes that died leave the table (a failed
 * replica is not listed), and when they come back nothing redirects a read to them, so without
 * this a region stayed "no node serves these slots" after every node of it was revived.
 */
export const SLOTS_REFRESH_INTERVAL_MS = 5_000;

/** `host:port` of a redis:// or rediss:// URL, the way ioredis keys a cluster node. */
export function nodeKey(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname.replace(/^\[|\]$/g, '')}:${port || '6379'}`;
}

/** A node as the cluster client sees it: its connection options carry the address. */
export interface ClusterNodeLike {
  options: { host?: string; port?: number };
}

/**
 * The `scaleReads` choice for a region: of the nodes that serve a slot (master first, then its
 * replicas), the one in the region. When the region has none, nothing is chosen and the client
 * would fall back to the master: callers check `uncoveredSlots` first and report the gap instead.
 */
export function readFromRegion<N extends ClusterNodeLike>(
  regionNodes: readonly string[],
): (nodes: N[]) => N | undefined {
  const keys = new Set(regionNodes.map(nodeKey));
  return (nodes) => nodes.find((n) => keys.has(`${n.options.host}:${n.options.port}`));
}

/** How many slots of a cluster's slot table (node keys per slot) have no node in the region. */
export function uncoveredSlots(
  slots: readonly (readonly string[] | undefined)[],
  regionNodes: readonly string[],
): number {
  const keys = new Set(regionNodes.map(nodeKey));
  let missing = 0;
  for (let slot = 0; slot < CLUSTER_SLOTS; slot += 1) {
    const serving = slots[slot];
    if (!serving || !serving.some((k) => keys.has(k))) missing += 1;
  }
  return missing;
}
