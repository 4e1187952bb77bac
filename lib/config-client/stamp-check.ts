/**
 * The safety net behind pub/sub: one pipelined read of every held app's stamp, plus the
 * replica's link state, every period (every second while degraded) and after every
 * (re)connect. A message lost while a subscriber reconnects is found here.
 */
import { Cluster } from 'ioredis';
import { configKey } from '../contract/cache-layout';
import { nodeKey } from '../contract/cluster-routing';
import { batch } from '../contract/redis-batch';
import { held, isKnownRejection, missingProblem, refresh, type ClientCore } from './held-apps';
import type { ChangeSource } from './types';

export interface StampChecker {
  /** Checks now; a request during a running check gets one more check after it. */
  check(source: ChangeSource): Promise<void>;
  /** Starts (or restarts) the periodic check. */
  schedule(): void;
  stop(): void;
}

/**
 * INFO replication of the replica, or of every node of the region on a cluster (its link is up
 * only when each shard's is). On one Redis it travels with the stamps in one round trip.
 */
function replicationInfos<T>(core: ClientCore<T>): Promise<[Error | null, unknown][]> {
  const { commands, regionNodes } = core;
  if (!(commands instanceof Cluster)) return batch(commands, [['info', 'replication']]);
  const keys = new Set(regionNodes.map(nodeKey));
  const nodes = commands
    .nodes('all')
    .filter((n) => keys.has(`${n.options.host}:${n.options.port}`));
  return Promise.all(
    nodes.map((n) =>
      n.info('replication').then(
        (info): [null, unknown] => [null, info],
        (error: Error): [Error, null] => [error, null],
      ),
    ),
  );
}

export function createStampChecker<T>(core: ClientCore<T>, intervalMs: number): StampChecker {
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  let checkAgain: ChangeSource | null = null;

  async function check(source: ChangeSource): Promise<void> {
    if (core.isClosed()) return;
    if (checking) {
      // A reconnect during a check: the running check may predate the new subscription.
      checkAgain = source;
      return;
    }
    checking = true;
    try {
      await checkOnce(source);
      while (checkAgain && !core.isClosed()) {
        const next: ChangeSource = checkAgain;
        checkAgain = null;
        await checkOnce(next);
      }
    } finally {
      checking = false;
    }
  }

  async function checkOnce(source: ChangeSource): Promise<void> {
    const ids = [...core.apps.keys()];
    core.counters.stampChecks += 1;
    let results: [Error | null, unknown][];
    let infos: [Error | null, unknown][];
    try {
      [results, infos] = await Promise.all([
        batch(
          core.commands,
          ids.map((appId) => ['hmget', configKey(appId), 'version', 'checksum']),
        ),
        replicationInfos(core),
      ]);
      const failed = results.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    } catch (error) {
      core.counters.stampCheckFailures += 1;
      core.contact.noteLost(error);
      return;
    }
    core.contact.noteContact();
    // INFO may be renamed or denied on managed Redis; then the link state is simply unknown.
    const answered = infos.flatMap(([error, info]) =>
      !error && typeof info === 'string' ? [info] : [],
    );
    if (answered.length > 0) core.contact.noteReplicationInfo(answered);
    const stale: Promise<void>[] = [];
    ids.forEach((appId, i) => {
      const state = core.apps.get(appId);
      const [version, checksum] = (results[i]?.[1] as (string | null)[] | undefined) ?? [];
      if (!state) return;
      if (version == null) {
        if (!held(state)) state.problem = missingProblem(core.region, appId);
        return;
      }
      const v = Number(version);
      const holds = held(state);
      const known = isKnownRejection(state, v, checksum ?? null) && !state.rejected?.reread;
      const newer = !holds || v > holds.version;
      const diverged = holds && v === holds.version && checksum !== holds.checksum;
      if ((newer || diverged) && !known) stale.push(refresh(core, appId, source));
    });
    await Promise.all(stale);
  }

  function schedule(): void {
    if (core.isClosed()) return;
    clearTimeout(timer);
    // While the replica is cut off or restarting, look every second: the check right after its
    // link comes back is the one that catches up, and a missed message would otherwise wait a period.
    timer = setTimeout(
      () => {
        void check('stamp-check').finally(schedule);
      },
      core.contact.degraded ? Math.min(intervalMs, 1_000) : intervalMs,
    );
    timer.unref();
  }

  return { check, schedule, stop: () => clearTimeout(timer) };
}
