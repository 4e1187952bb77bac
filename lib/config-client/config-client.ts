/**
 * The config client a service embeds: holds each app's configuration in memory, follows its
 * regional replica within milliseconds, and keeps serving the last good config when the replica
 * cannot be reached (stale-if-error). Usage and guarantees: README.md in this folder.
 *
 * Deliberately free of Next.js, server-only and lib/env: it takes options, imports only the pure
 * cache contract, and can be lifted into its own package.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { configKey, parseUpdateMessage, UPDATES_CHANNEL } from '../cache-layout';
import { decodeEntry, deepFreeze, type DecodeResult } from './decode-entry';
import { AppArchivedError, ConfigClientError, ConfigNotReadyError } from './errors';
// Pure (no imports): lifted out together with the cache contract.
import { parseReplicationInfo } from '../regions-health/parse-replication';
import {
  DEFAULT_REPORT_RETENTION_MS,
  INSTANCE_ID_PATTERN,
  type InstanceReport,
} from './report-layout';
import { createReporter, type Reporter } from './reporter';
import type {
  ArchivedApp,
  ChangeSource,
  ConfigChange,
  ConfigClient,
  ConfigClientOptions,
  ConfigEntry,
  Logger,
} from './types';

interface Waiter<T> {
  resolve(entry: ConfigEntry<T>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface AppState<T> {
  entry: ConfigEntry<T> | null;
  /** Set while the cache holds a tombstone for the app: archived, not served (entry is null). */
  tombstone: ArchivedApp | null;
  /** A read of the hash in flight; `again` asks for one more after it (coalescing). */
  fetching: Promise<void> | null;
  again: ChangeSource | null;
  /** Since when a newer version is known to exist that this client could not apply. */
  behindSince: number | null;
  /** The last entry refused, so it is counted and reported once, not at every check. */
  rejected: { version: number; checksum: string | null } | null;
  /** Why the app is not ready yet, for ready()'s timeout message. */
  problem: string | null;
  waiters: Set<Waiter<T>>;
}

/** What the client holds for an app, config or tombstone: the version anything new must beat. */
function held<T>(state: AppState<T>): { version: number; checksum: string } | null {
  return state.entry ?? state.tombstone;
}

const noopLogger: Logger = { info: () => undefined, warn: () => undefined };

function defaultInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '-')
      .slice(0, 60) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function createConfigClient<T = unknown>(options: ConfigClientOptions<T>): ConfigClient<T> {
  const stampCheckIntervalMs = options.stampCheckIntervalMs ?? 3_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const validate = options.validate ?? ((config: unknown) => config as T);
  const logger = options.logger ?? noopLogger;
  const instanceId = options.instanceId ?? defaultInstanceId();
  if (!INSTANCE_ID_PATTERN.test(instanceId)) {
    throw new TypeError(
      `instanceId ${JSON.stringify(instanceId)} must match ${INSTANCE_ID_PATTERN}`,
    );
  }
  if (!(stampCheckIntervalMs >= 100))
    throw new RangeError('stampCheckIntervalMs must be at least 100');

  const apps = new Map<string, AppState<T>>();
  const changeListeners = new Set<(change: ConfigChange<T>) => void>();
  const errorListeners = new Set<(error: ConfigClientError) => void>();
  const counters = {
    messages: 0,
    applied: 0,
    ignored: 0,
    rejected: 0,
    malformedMessages: 0,
    stampChecks: 0,
    stampCheckFailures: 0,
    reconnects: 0,
  };
  const startedAt = Date.now();
  let closed = false;
  let subscribed = false;
  let inContact = false;
  let lastContactAt: number | null = null;
  let replicaLinkUp: boolean | null = null;
  let replicaLinkDownSince: number | null = null;
  let everReady = false;
  let checkTimer: NodeJS.Timeout | undefined;
  let checking = false;
  let checkAgain: ChangeSource | null = null;

  const redisOptions = {
    connectTimeout: timeoutMs,
    // Reconnect forever with a capped backoff: the replica coming back is the normal end of an outage.
    retryStrategy: (attempt: number) =>
      Math.min(100 * 2 ** attempt, 2_000) + Math.floor(Math.random() * 100),
  };
  // Commands fail at once while disconnected instead of queueing: a stamp check that cannot run
  // now is replaced by the re-check that follows the reconnect.
  const commands = new Redis(options.redisUrl, {
    ...redisOptions,
    connectionName: `propagate-config:${instanceId}`,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  // SUBSCRIBE needs a connection of its own. Re-subscribing is done by hand on 'ready' so the
  // re-check that covers the gap runs after the subscription is live, not before.
  const subscriber = new Redis(options.redisUrl, {
    ...redisOptions,
    connectionName: `propagate-config-sub:${instanceId}`,
    autoResubscribe: false,
  });

  const reporter: Reporter | null = options.report
    ? createReporter({
        redisUrl: options.report.redisUrl,
        instanceId,
        intervalMs: options.report.intervalMs ?? 5_000,
        retentionMs: options.report.retentionMs ?? DEFAULT_REPORT_RETENTION_MS,
        timeoutMs,
        snapshot: reports,
        onError: emitError,
      })
    : null;

  function emitError(error: ConfigClientError): void {
    logger.warn(`[config-client] ${error.message}`);
    for (const listener of errorListeners) {
      try {
        listener(error);
      } catch {
        // A throwing listener must not stop the others or the client.
      }
    }
  }

  function noteContact(): void {
    lastContactAt = Date.now();
    if (!inContact && everReady)
      logger.info(`[config-client] replica ${options.region} answering again`);
    inContact = true;
  }

  function noteLostContact(error: unknown): void {
    if (closed || !inContact) return;
    inContact = false;
    emitError(
      new ConfigClientError(
        'unreachable',
        `Replica ${options.region} unreachable; serving the last good config: ${String(error)}`,
        {
          cause: error,
        },
      ),
    );
  }

  function stalenessAt(now: number, state?: AppState<T>): number {
    let stale = 0;
    if (!inContact) stale = now - (lastContactAt ?? startedAt);
    if (replicaLinkUp === false && replicaLinkDownSince !== null)
      stale = Math.max(stale, now - replicaLinkDownSince);
    if (state?.behindSince != null) stale = Math.max(stale, now - state.behindSince);
    return Math.max(0, stale);
  }

  function reports(): InstanceReport[] {
    const now = Date.now();
    const out: InstanceReport[] = [];
    for (const [appId, state] of apps) {
      // An archived app is reported at its tombstone's version: the app page then shows every
      // server on the archive, i.e. no longer serving the app.
      const holds = state.entry ?? state.tombstone;
      if (!holds) continue;
      out.push({
        instanceId,
        region: options.region,
        appId,
        version: holds.version,
        checksum: holds.checksum,
        appliedAt: holds.appliedAt,
        stalenessMs: stalenessAt(now, state),
        reportedAt: now,
        intervalMs: options.report?.intervalMs ?? 5_000,
      });
    }
    return out;
  }

  function missingProblem(appId: string): string {
    return `the replica in ${options.region} has no config for app "${appId}" (key ${configKey(appId)} is missing)`;
  }

  function stateFor(appId: string): AppState<T> {
    let state = apps.get(appId);
    if (!state) {
      state = {
        entry: null,
        tombstone: null,
        fetching: null,
        again: null,
        behindSince: null,
        rejected: null,
        problem: null,
        waiters: new Set(),
      };
      apps.set(appId, state);
    }
    return state;
  }

  /** Refuses an entry: counted and reported once per distinct stamp, never applied. */
  function refuse(
    state: AppState<T>,
    version: number | null,
    checksum: string | null,
    error: ConfigClientError,
  ): void {
    state.problem = error.message;
    const holds = held(state);
    if (version !== null && (!holds || version > holds.version)) state.behindSince ??= Date.now();
    if (
      state.rejected &&
      state.rejected.version === version &&
      state.rejected.checksum === checksum
    )
      return;
    state.rejected = { version: version ?? -1, checksum };
    counters.rejected += 1;
    emitError(error);
  }

  /** Why a newer entry is refused, worded for the service's logs. */
  function refusal(
    appId: string,
    decoded: Extract<DecodeResult<T>, { status: 'invalid' | 'checksum-mismatch' }>,
    held: ConfigEntry<T> | null,
  ): ConfigClientError {
    const serving = `still serving version ${held?.version ?? 'none'}`;
    if (decoded.status === 'checksum-mismatch') {
      return new ConfigClientError(
        'checksum-mismatch',
        `Refused version ${decoded.version} of app "${appId}": its body hashes to ${decoded.actual.slice(0, 12)}…, not the stamped ${decoded.checksum.slice(0, 12)}…; ${serving}`,
        { appId, version: decoded.version },
      );
    }
    return new ConfigClientError(
      'invalid-entry',
      `Refused version ${decoded.version ?? '?'} of app "${appId}": ${decoded.reason}; ${serving}`,
      { appId, ...(decoded.version !== null ? { version: decoded.version } : {}) },
    );
  }

  /** Reads the app's hash once and swaps it in if it is newer and verifies. */
  async function fetchOnce(appId: string, state: AppState<T>, source: ChangeSource): Promise<void> {
    let fields: Record<string, string>;
    try {
      fields = await commands.hgetall(configKey(appId));
    } catch (error) {
      state.problem = `replica ${options.region} did not answer: ${String(error)}`;
      noteLostContact(error);
      return;
    }
    noteContact();
    const decoded = decodeEntry(fields, validate);
    const previous = state.entry;
    const holds = held(state);
    switch (decoded.status) {
      case 'missing':
        state.problem = missingProblem(appId);
        return;
      case 'invalid':
      case 'checksum-mismatch':
        if (holds && decoded.version !== null && decoded.version <= holds.version) {
          counters.ignored += 1;
          return;
        }
        refuse(state, decoded.version, decoded.checksum, refusal(appId, decoded, previous));
        return;
      case 'archived':
        // A tombstone is ordered like any version: it never replaces a newer (restored) config.
        if (holds && decoded.version <= holds.version) {
          counters.ignored += 1;
          return;
        }
        archive(appId, state, decoded, source);
        return;
      case 'ok':
        break;
    }
    const { entry } = decoded;
    if (holds && entry.version <= holds.version) {
      // Duplicates and out-of-order reads never regress; same version, other checksum is a divergence.
      counters.ignored += 1;
      if (entry.version === holds.version && entry.checksum !== holds.checksum) {
        refuse(
          state,
          entry.version,
          entry.checksum,
          new ConfigClientError(
            'diverged',
            `App "${appId}" version ${entry.version} in ${options.region} has another checksum than the one held; keeping the held one`,
            {
              appId,
              version: entry.version,
            },
          ),
        );
      }
      return;
    }
    const current: ConfigEntry<T> = Object.freeze({
      appId,
      version: entry.version,
      checksum: entry.checksum,
      config: deepFreeze(entry.config),
      committedAt: entry.committedAt,
      appliedAt: Date.now(),
    });
    state.entry = current; // the swap: one reference assignment, readers see old or new, never a mix
    state.tombstone = null;
    state.behindSince = null;
    state.problem = null;
    counters.applied += 1;
    for (const waiter of state.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(current);
    }
    state.waiters.clear();
    notifyChange({ appId, previous, current, archived: null, source });
  }

  /** Stops serving an archived app: get() throws AppArchivedError until a newer version arrives. */
  function archive(
    appId: string,
    state: AppState<T>,
    decoded: Extract<DecodeResult<T>, { status: 'archived' }>,
    source: ChangeSource,
  ): void {
    const previous = state.entry;
    const tombstone: ArchivedApp = Object.freeze({
      appId,
      version: decoded.version,
      checksum: decoded.checksum,
      committedAt: decoded.committedAt,
      appliedAt: Date.now(),
    });
    state.entry = null;
    state.tombstone = tombstone;
    state.behindSince = null;
    state.problem = `app "${appId}" was archived in Propagate (version ${decoded.version})`;
    counters.applied += 1;
    logger.info(
      `[config-client] ${appId} archived at v${decoded.version}; no longer serving it (was v${previous?.version ?? '-'})`,
    );
    for (const waiter of state.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new AppArchivedError(appId, decoded.version));
    }
    state.waiters.clear();
    notifyChange({ appId, previous, current: null, archived: tombstone, source });
  }

  function notifyChange(change: ConfigChange<T>): void {
    for (const listener of changeListeners) {
      try {
        listener(change);
      } catch (error) {
        logger.warn(`[config-client] onChange listener threw: ${String(error)}`);
      }
    }
    reporter?.reportSoon();
  }

  /** One read per app at a time; requests that arrive meanwhile get one more read after it. */
  function refresh(appId: string, source: ChangeSource): Promise<void> {
    const state = apps.get(appId);
    if (!state || closed) return Promise.resolve();
    if (state.fetching) {
      state.again = source;
      return state.fetching;
    }
    state.fetching = (async () => {
      let next: ChangeSource | null = source;
      while (next && !closed) {
        state.again = null;
        await fetchOnce(appId, state, next);
        next = state.again;
      }
    })().finally(() => {
      state.fetching = null;
    });
    return state.fetching;
  }

  /** The safety net: one pipelined read of every held app's stamp, plus the replica's link state. */
  async function stampCheck(source: ChangeSource): Promise<void> {
    if (closed) return;
    if (checking) {
      // A reconnect during a check: the running check may predate the new subscription.
      checkAgain = source;
      return;
    }
    checking = true;
    try {
      await stampCheckOnce(source);
      while (checkAgain && !closed) {
        const next: ChangeSource = checkAgain;
        checkAgain = null;
        await stampCheckOnce(next);
      }
    } finally {
      checking = false;
    }
  }

  async function stampCheckOnce(source: ChangeSource): Promise<void> {
    const ids = [...apps.keys()];
    const pipeline = commands.pipeline();
    for (const appId of ids) pipeline.hmget(configKey(appId), 'version', 'checksum');
    pipeline.info('replication');
    counters.stampChecks += 1;
    let results: [Error | null, unknown][];
    try {
      results = (await pipeline.exec()) ?? [];
      const failed = results.slice(0, ids.length).find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    } catch (error) {
      counters.stampCheckFailures += 1;
      noteLostContact(error);
      return;
    }
    noteContact();
    const [infoError, info] = results[ids.length] ?? [null, null];
    // INFO may be renamed or denied on managed Redis; then the link state is simply unknown.
    if (!infoError && typeof info === 'string') {
      const link = parseReplicationInfo(info);
      replicaLinkUp = link.linkUp;
      if (link.linkUp === false) {
        replicaLinkDownSince ??=
          link.linkDownSinceSeconds !== null
            ? Date.now() - link.linkDownSinceSeconds * 1000
            : Date.now();
      } else {
        replicaLinkDownSince = null;
      }
    }
    const stale: Promise<void>[] = [];
    ids.forEach((appId, i) => {
      const state = apps.get(appId);
      const [version, checksum] = (results[i]?.[1] as (string | null)[] | undefined) ?? [];
      if (!state) return;
      if (version == null) {
        if (!held(state)) state.problem = missingProblem(appId);
        return;
      }
      const v = Number(version);
      const holds = held(state);
      const known =
        state.rejected && state.rejected.version === v && state.rejected.checksum === checksum;
      const newer = !holds || v > holds.version;
      const diverged = holds && v === holds.version && checksum !== holds.checksum;
      if ((newer || diverged) && !known) stale.push(refresh(appId, source));
    });
    await Promise.all(stale);
  }

  function scheduleCheck(): void {
    if (closed) return;
    clearTimeout(checkTimer);
    // While the replica is cut off or restarting, look every second: the check right after its
    // link comes back is the one that catches up, and a missed message would otherwise wait a period.
    const degraded = !inContact || replicaLinkUp === false;
    checkTimer = setTimeout(
      () => {
        void stampCheck('stamp-check').finally(scheduleCheck);
      },
      degraded ? Math.min(stampCheckIntervalMs, 1_000) : stampCheckIntervalMs,
    );
    checkTimer.unref();
  }

  /** After any reconnect: a message may have been lost while down, so re-read every stamp. */
  function recheck(first: boolean): void {
    if (closed) return;
    void stampCheck(first ? 'load' : 'reconnect');
  }

  commands.on('error', (error) => noteLostContact(error));
  commands.on('close', () => noteLostContact(new Error('connection closed')));
  commands.on('ready', () => {
    if (everReady) counters.reconnects += 1;
    noteContact();
    recheck(!everReady);
    everReady = true;
  });
  subscriber.on('error', () => {
    // Reported through the command connection; both point at the same replica.
  });
  subscriber.on('close', () => {
    subscribed = false;
  });
  let everSubscribed = false;
  subscriber.on('ready', () => {
    subscriber.subscribe(UPDATES_CHANNEL).then(
      () => {
        subscribed = true;
        // Messages published before this point were never ours: the first subscription closes
        // that gap like a reconnect does, but it is part of loading, not a reconnect.
        recheck(!everSubscribed);
        everSubscribed = true;
      },
      (error: unknown) => logger.warn(`[config-client] subscribe failed: ${String(error)}`),
    );
  });
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== UPDATES_CHANNEL || closed) return;
    counters.messages += 1;
    const message = parseUpdateMessage(raw);
    if (!message) {
      counters.malformedMessages += 1;
      return;
    }
    const state = apps.get(message.appId);
    if (!state) return; // not an app this service holds
    const holds = held(state);
    if (holds && message.version <= holds.version) {
      counters.ignored += 1;
      return;
    }
    if (
      state.rejected &&
      state.rejected.version === message.version &&
      state.rejected.checksum === message.checksum
    )
      return;
    void refresh(message.appId, 'message');
  });
  scheduleCheck();

  function hold(appId: string): AppState<T> {
    const known = apps.get(appId);
    if (known) return known;
    const state = stateFor(appId);
    state.problem = 'not loaded yet';
    if (commands.status === 'ready') void refresh(appId, 'load');
    return state;
  }
  for (const appId of options.apps ?? []) hold(appId);

  return {
    instanceId,
    region: options.region,

    ready(appId, readyOptions) {
      if (closed) return Promise.reject(new Error('The config client is closed.'));
      const state = hold(appId);
      if (state.entry) return Promise.resolve(state.entry);
      if (state.tombstone)
        return Promise.reject(new AppArchivedError(appId, state.tombstone.version));
      const wait = readyOptions?.timeoutMs ?? readyTimeoutMs;
      return new Promise<ConfigEntry<T>>((resolve, rejectReady) => {
        const waiter: Waiter<T> = {
          resolve,
          reject: rejectReady,
          timer: setTimeout(() => {
            state.waiters.delete(waiter);
            rejectReady(
              new ConfigNotReadyError(
                appId,
                `No verified config for app "${appId}" after ${wait} ms: ${state.problem ?? 'unknown reason'}. The client keeps trying.`,
              ),
            );
          }, wait),
        };
        state.waiters.add(waiter);
      });
    },

    get(appId) {
      const state = apps.get(appId);
      if (state?.entry) return state.entry;
      if (state?.tombstone) throw new AppArchivedError(appId, state.tombstone.version);
      throw new ConfigNotReadyError(
        appId,
        state
          ? `Config for app "${appId}" is not loaded yet (${state.problem ?? 'loading'}).`
          : `App "${appId}" is not held by this client: call await client.ready("${appId}") first.`,
      );
    },

    peek: (appId) => apps.get(appId)?.entry ?? null,
    archived: (appId) => apps.get(appId)?.tombstone ?? null,
    heldApps: () => [...apps.keys()],

    staleness(appId) {
      const state = apps.get(appId);
      if (!state || !held(state))
        throw new ConfigNotReadyError(appId, `App "${appId}" has no config loaded.`);
      return stalenessAt(Date.now(), state);
    },

    status() {
      return {
        connected: inContact && subscribed && commands.status === 'ready',
        lastContactAt,
        stalenessMs: stalenessAt(Date.now()),
        replicaLinkUp,
      };
    },

    stats() {
      const sent = reporter?.stats();
      return {
        ...counters,
        reportsSent: sent?.reportsSent ?? 0,
        reportFailures: sent?.reportFailures ?? 0,
      };
    },

    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },

    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(checkTimer);
      for (const state of apps.values()) {
        for (const waiter of state.waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error('The config client was closed before the config was ready.'));
        }
        state.waiters.clear();
      }
      const quit = async (redis: Redis) => {
        if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      };
      await Promise.all([reporter?.close(), quit(commands), quit(subscriber)]);
      await Promise.allSettled([...apps.values()].flatMap((s) => (s.fetching ? [s.fetching] : [])));
    },
  };
}
