import { describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, nodeKey, readFromRegion, uncoveredSlots } from './cluster-routing';

describe('cluster routing', () => {
  it('picks the node of the region among those serving a slot, and none when it has none', () => {
    const node = (host: string, port: number) => ({ options: { host, port } });
    const choose = readFromRegion(['redis://10.0.2.1:6379', 'rediss://10.0.2.2:7000']);
    const master = node('10.0.1.1', 6379);
    const local = node('10.0.2.2', 7000);
    expect(choose([master, node('10.0.3.1', 6379), local])).toBe(local);
    expect(choose([master, node('10.0.3.1', 6379)])).toBeUndefined();
    expect(nodeKey('redis://cache.example')).toBe('cache.example:6379');
  });

  it('counts the slots a region has no node for', () => {
    const slots = Array.from({ length: CLUSTER_SLOTS }, (_, s) =>
      s < 8_192 ? ['10.0.1.1:6379', '10.0.2.1:6379'] : ['10.0.1.2:6379'],
    );
    expect(uncoveredSlots(slots, ['redis://10.0.2.1:6379'])).toBe(8_192);
    expect(uncoveredSlots(slots, ['redis://10.0.1.1', 'redis://10.0.1.2:6379'])).toBe(0);
  });
});
