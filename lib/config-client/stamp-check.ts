/**
 * The safety net behind pub/sub: one pipelined read of every held app's stamp, plus the
 * replica's link state, every period (every second while degraded) and after every
 * (re)connect. A message lost while a subscriber reconnects is found here.
 */
import { configKey } from '../contract/cache-layout';
import { held, isKnownRejection, missingProblem, refresh, type ClientCore } from './held-apps';
import type { ChangeSource } from './types';

export interface StampChecker {
  /** Checks now; a request during a running check gets one more check after it. */
  check(source: ChangeSource): Promise<void>;
  /** Starts (or restarts) the periodic check. */
  schedule(): void;
  stop(): void;
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
    const pipeline = core.commands.pipeline();
    for (const appId of ids) pipeline.hmget(configKey(appId), 'version', 'checksum');
    pipeline.info('replication');
    core.counters.stampChecks += 1;
    let results: [Error | null, unknown][];
    try {
      results = (await pipeline.exec()) ?? [];
      const failed = results.slice(0, ids.length).find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    } catch (error) {
      core.counters.stampCheckFailures += 1;
      core.contact.noteLost(error);
      return;
    }
    core.contact.noteContact();
    const [infoError, info] = results[ids.length] ?? [null, null];
    // INFO may be renamed or denied on managed Redis; then the link state is simply unknown.
    if (!infoError && typeof info === 'string') core.contact.noteReplicationInfo(info);
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
      const known = isKnownRejection(state, v, checksum ?? null);
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
