/**
 * What the client knows about its replica: whether it answers, since when it does not, and
 * whether the replica itself reports its link to the primary down. Staleness is derived from
 * it: a client cut off from its replica (or a replica cut off from the primary) may be serving
 * an outdated config, and says for how long.
 */
import { parseReplicationInfo } from '../contract/parse-replication';
import { ConfigClientError } from './errors';
import type { Logger } from './types';

export class ReplicaContact {
  inContact = false;
  lastContactAt: number | null = null;
  /** From INFO replication; null when unknown (INFO renamed or denied on managed Redis). */
  linkUp: boolean | null = null;
  linkDownSince: number | null = null;
  /** The command connection was ready once: later recoveries are news, the first is not. */
  everReady = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly opts: {
      region: string;
      logger: Logger;
      isClosed: () => boolean;
      emitError: (error: ConfigClientError) => void;
    },
  ) {}

  noteContact(): void {
    this.lastContactAt = Date.now();
    if (!this.inContact && this.everReady)
      this.opts.logger.info(`[config-client] replica ${this.opts.region} answering again`);
    this.inContact = true;
  }

  noteLost(error: unknown): void {
    if (this.opts.isClosed() || !this.inContact) return;
    this.inContact = false;
    this.opts.emitError(
      new ConfigClientError(
        'unreachable',
        `Replica ${this.opts.region} unreachable; serving the last good config: ${String(error)}`,
        { cause: error },
      ),
    );
  }

  /** The replica's own account of its link to the primary (`INFO replication`). */
  /** INFO replication of the replica, or of each of the region's nodes on a cluster. */
  noteReplicationInfo(infos: readonly string[]): void {
    const links = infos.map(parseReplicationInfo);
    const down = links.filter((l) => l.linkUp === false);
    this.linkUp = down.length > 0 ? false : (links[0]?.linkUp ?? null);
    if (down.length > 0) {
      const seconds = down.flatMap((l) =>
        l.linkDownSinceSeconds !== null ? [l.linkDownSinceSeconds] : [],
      );
      this.linkDownSince ??=
        seconds.length > 0 ? Date.now() - Math.max(...seconds) * 1000 : Date.now();
    } else {
      this.linkDownSince = null;
    }
  }

  /** While cut off or while the replica's link is down, look more often. */
  get degraded(): boolean {
    return !this.inContact || this.linkUp === false;
  }

  /** How long what is served may be outdated; `behindSince` adds an app's own known lag. */
  staleness(now: number, behindSince: number | null = null): number {
    let stale = 0;
    if (!this.inContact) stale = now - (this.lastContactAt ?? this.startedAt);
    if (this.linkUp === false && this.linkDownSince !== null)
      stale = Math.max(stale, now - this.linkDownSince);
    if (behindSince != null) stale = Math.max(stale, now - behindSince);
    return Math.max(0, stale);
  }
}
