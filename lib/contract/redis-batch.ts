import { Cluster, type Redis } from 'ioredis';

/** One command: its name and arguments, as `redis.call` takes them. */
export type Call = [command: string, ...args: (string | number)[]];

/**
 * Independent commands in one round trip per node, each with its own outcome like
 * `pipeline.exec()`. On one Redis: a pipeline. On a cluster a pipeline must stay within one slot
 * group, so the commands go out together, each to its slot's node without waiting for the
 * replies before it: one round trip per node all the same. Shared by Propagate and the config client, which read
 * the same cache on either kind of deployment.
 */
export async function batch(
  redis: Redis | Cluster,
  calls: readonly Call[],
): Promise<[Error | null, unknown][]> {
  if (redis instanceof Cluster) {
    return Promise.all(
      calls.map((c) =>
        redis.call(...c).then(
          (reply): [null, unknown] => [null, reply],
          (error: Error): [Error, null] => [error, null],
        ),
      ),
    );
  }
  const pipeline = redis.pipeline();
  for (const c of calls) pipeline.call(...c);
  return (await pipeline.exec()) ?? [];
}

/**
 * An index and its entries, as the report layout keeps them: the newest `max` members of a
 * sorted set scored by time, then each member's string entry in one batch, newest first. An entry
 * that expired between the two reads, or whose read failed, is null.
 */
export async function readIndexedEntries(
  redis: Redis | Cluster,
  indexKey: string,
  max: number,
  entryKey: (member: string) => string,
): Promise<(string | null)[]> {
  const members = await redis.zrange(indexKey, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, max);
  if (members.length === 0) return [];
  // GETs in one batch rather than MGET: the keys may live on different cluster slots.
  const replies = await batch(
    redis,
    members.map((member) => ['get', entryKey(member)]),
  );
  return replies.map(([error, raw]) => (!error && typeof raw === 'string' ? raw : null));
}
