import 'server-only';
import { Cluster } from 'ioredis';
import { configKey, UPDATES_CHANNEL, type UpdateMessage } from '@/lib/contract/cache-layout';
import type { SealingKey } from '@/lib/contract/secret-envelope';
import { cacheBody } from '@/lib/propagation/cache-sealing';
import { PUSH_SCRIPT, RESEAL_SCRIPT } from '@/lib/propagation/push-script';
import type { RedisClient } from '@/lib/redis/clients';

export interface PushInput {
  appId: string;
  version: number;
  checksum: string;
  data: unknown;
  committedAt: Date;
  /** A tombstone: the app was archived at this version (lib/contract/cache-layout.ts). */
  archived?: boolean;
  /** A forced re-push: may replace the same version (never a newer one). */
  overwriteSameVersion?: boolean;
  /** The key secrets are sealed with; the environment's (CACHE_SECRET_KEY_ID) when undefined. */
  sealingKey?: SealingKey | null;
}

export type PushOutcome =
  /** This call wrote the version. */
  | { status: 'written'; pushedAt: number }
  /** The primary already holds this version or a newer one: nothing to do, nothing overwritten. */
  | { status: 'superseded'; currentVersion: number; currentChecksum: string | null }
  /**
   * The primary holds this very version with another checksum (e.g. after MongoDB was restored
   * from a backup): not ours to overwrite silently, and not pushed either.
   */
  | { status: 'diverged'; currentChecksum: string | null };

type Reply = [1, number] | [0, number, string | null];

// defineCommand sends EVALSHA and falls back to EVAL once per connection (e.g. after a restart).
// The script touches only KEYS[1], so on a cluster it runs on the master of the app's slot.
function withPushCommand<C extends RedisClient>(
  redis: C,
): C & { propagatePush: (...args: string[]) => Promise<Reply> } {
  if (!('propagatePush' in redis)) {
    redis.defineCommand('propagatePush', { numberOfKeys: 1, lua: PUSH_SCRIPT });
  }
  return redis as C & { propagatePush: (...args: string[]) => Promise<Reply> };
}

/** Pushes one committed version to the primary cache. Throws when the primary cannot be reached. */
export async function pushToPrimary(redis: RedisClient, input: PushInput): Promise<PushOutcome> {
  const reply = await withPushCommand(redis).propagatePush(...pushArgs(input));
  return outcomeOf(input, reply);
}

function pushArgs(input: PushInput): string[] {
  const tombstone = input.archived === true;
  const message: UpdateMessage = {
    appId: input.appId,
    version: input.version,
    checksum: input.checksum,
    committedAt: input.committedAt.getTime(),
    ...(tombstone ? { archived: true as const } : {}),
  };
  return [
    configKey(input.appId),
    String(input.version),
    input.checksum,
    tombstone ? '' : bodyOf(input),
    String(message.committedAt),
    JSON.stringify(message),
    UPDATES_CHANNEL,
    tombstone ? 'tombstone' : 'config',
    input.overwriteSameVersion ? 'same-version' : '',
  ];
}

/** The entry's body: secrets sealed, the checksum stays that of the plain config. */
const bodyOf = (input: Pick<PushInput, 'appId' | 'version' | 'data' | 'sealingKey'>) =>
  cacheBody(input.data, { appId: input.appId, version: input.version }, input.sealingKey);

function outcomeOf(input: PushInput, reply: Reply): PushOutcome {
  if (reply[0] === 1) return { status: 'written', pushedAt: reply[1] };
  const [, currentVersion, currentChecksum = null] = reply;
  if (currentVersion === input.version && currentChecksum !== input.checksum) {
    return { status: 'diverged', currentChecksum };
  }
  return { status: 'superseded', currentVersion, currentChecksum };
}

/**
 * Many pushes to one primary in a single round trip (the backfill): each is the same
 * compare-and-set as a save's push, so a newer version written meanwhile is never replaced.
 */
export async function pushManyToPrimary(
  redis: RedisClient,
  inputs: readonly PushInput[],
): Promise<PushOutcome[]> {
  if (redis instanceof Cluster) {
    // A cluster pipeline must stay within one slot group: the pushes go out together instead,
    // each to its master without waiting for the replies before it, each its own compare-and-set.
    const command = withPushCommand(redis);
    const replies = await Promise.all(
      inputs.map((input) => command.propagatePush(...pushArgs(input))),
    );
    return replies.map((reply, i) => outcomeOf(inputs[i]!, reply));
  }
  const pipeline = withPushCommand(redis).pipeline() as ReturnType<RedisClient['pipeline']> & {
    propagatePush: (...args: string[]) => unknown;
  };
  for (const input of inputs) pipeline.propagatePush(...pushArgs(input));
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply], i) => {
    if (error) throw error;
    return outcomeOf(inputs[i]!, reply as Reply);
  });
}

/**
 * Re-seals the bodies of entries the primary holds at exactly these versions and checksums
 * (after a key rotation). The commands go out together without waiting for each other, which
 * also holds on a cluster, where each goes to its slot's master. Returns, per input, whether its
 * body was rewritten: a newer version, a tombstone or a diverged entry is left alone.
 */
export async function resealOnPrimary(
  redis: RedisClient,
  inputs: readonly Pick<PushInput, 'appId' | 'version' | 'checksum' | 'data' | 'sealingKey'>[],
): Promise<boolean[]> {
  if (!('propagateReseal' in redis)) {
    redis.defineCommand('propagateReseal', { numberOfKeys: 1, lua: RESEAL_SCRIPT });
  }
  const command = redis as RedisClient & {
    propagateReseal: (...args: string[]) => Promise<number>;
  };
  const replies = await Promise.all(
    inputs.map((input) =>
      command.propagateReseal(
        configKey(input.appId),
        String(input.version),
        input.checksum,
        bodyOf(input),
      ),
    ),
  );
  return replies.map((reply) => reply === 1);
}
