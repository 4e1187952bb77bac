/**
 * The config client a service embeds: holds each app's configuration in memory, follows its
 * regional replica within milliseconds, and keeps serving the last good config when the replica
 * cannot be reached (stale-if-error). Usage and guarantees: README.md in this folder.
 *
 * Deliberately free of Next.js, server-only and lib/env: it takes options, imports only the
 * public contract (lib/contract), and can be lifted into its own package.
 *
 * The parts: held-apps.ts (follow one app: read, verify, swap), stamp-check.ts (the periodic
 * safety net), replica-contact.ts (is the replica answering, how stale may we be), reporter.ts
 * (tell Propagate which version this instance holds). This file wires them to two connections.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Cluster, Redis } from 'ioredis';
import { parseUpdateMessage, UPDATES_CHANNEL } from '../contract/cache-layout';
import {
  DEFAULT_REPORT_RETENTION_MS,
  INSTANCE_ID_PATTERN,
  type InstanceReport,
} from '../contract/report-layout';
import { connectCommands } from './command-connection';
import { AppArchivedError, type ConfigClientError, ConfigNotReadyError } from './errors';
import {
  held,
  isKnownRejection,
  newAppState,
  refresh,
  type AppState,
  type ClientCore,
  type Waiter,
} from './held-apps';
import { ReplicaContact } from './replica-contact';
import { createReporter, type Reporter } from './reporter';
import { createStampChecker } from './stamp-check';
import type {
  ConfigClient,
  ConfigClientOptions,
  ConfigEntry,
  Logger,
  RedisConnection,
} from './types';

const noopLogger: Logger = { info: () => undefined, warn: () => undefined };

export function defaultInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '-')
      .slice(0, 60) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The two connections to the replica: commands, and SUBSCRIBE, which needs one of its own. */
function connect(
  url: string,
  connection: RedisConnection | undefined,
  instanceId: string,
  timeoutMs: number,
  clusterNodes: readonly string[] | undefined,
) {
  const common = {
    ...connection,
    connectTimeout: timeoutMs,
    // Reconnect forever with a capped backoff: the replica coming back is the normal end of an outage.
    retryStrategy: (attempt: number) =>
      Math.min(100 * 2 ** attempt, 2_000) + Math.floor(Math.random() * 100),
  };
  return {
    // Commands fail at once while disconnected instead of queueing: a stamp check that cannot
    // run now is replaced by the re-check that follows the reconnect.
    commands: connectCommands({
      cluster: clusterNodes !== undefined,
      urls: [url, ...(clusterNodes ?? [])],
      readFrom: 'region',
      connection,
      connectionName: `propagate-config:${instanceId}`,
      timeoutMs,
      retryStrategy: common.retryStrategy,
    }),
    // On a cluster, any node hears every PUBLISH (the bus broadcasts it): one of the region's.
    // Re-subscribing is done by hand on 'ready' so the re-check that covers the gap runs after
    // the subscription is live, not before.
    subscriber: new Redis(url, {
      ...common,
      connectionName: `propagate-config-sub:${instanceId}`,
      autoResubscribe: false,
    }),
  };
}

export function createConfigClient<T = unknown>(options: ConfigClientOptions<T>): ConfigClient<T> {
  const stampCheckIntervalMs = options.stampCheckIntervalMs ?? 3_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const reportIntervalMs = options.report?.intervalMs ?? 5_000;
  const logger = options.logger ?? noopLogger;
  const instanceId = options.instanceId ?? defaultInstanceId();
  if (!INSTANCE_ID_PATTERN.test(instanceId)) {
    throw new TypeError(
      `instanceId ${JSON.stringify(instanceId)} must match ${INSTANCE_ID_PATTERN}`,
    );
  }
  if (!(stampCheckIntervalMs >= 100))
    throw new RangeError('stampCheckIntervalMs must be at least 100');

  let closed = false;
  let subscribed = false;
  const errorListeners = new Set<(error: ConfigClientError) => void>();
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

  const { commands, subscriber } = connect(
    options.redisUrl,
    options.connection,
    instanceId,
    timeoutMs,
    options.cluster?.nodes,
  );
  const isClosed = () => closed;
  const contact = new ReplicaContact({ region: options.region, logger, isClosed, emitError });
  let reporter: Reporter | null = null;
  const core: ClientCore<T> = {
    region: options.region,
    apps: new Map<string, AppState<T>>(),
    counters: {
      messages: 0,
      applied: 0,
      ignored: 0,
      rejected: 0,
      malformedMessages: 0,
      stampChecks: 0,
      stampCheckFailures: 0,
      reconnects: 0,
    },
    contact,
    commands,
    regionNodes: options.cluster ? [options.redisUrl, ...options.cluster.nodes] : [],
    validate: options.validate ?? ((config: unknown) => config as T),
    secretKeys: options.secretKeys ?? new Map(),
    logger,
    changeListeners: new Set(),
    isClosed,
    emitError,
    reportSoon: () => reporter?.reportSoon(),
  };
  const { apps, counters } = core;
  const checker = createStampChecker(core, stampCheckIntervalMs);

  function reports(): InstanceReport[] {
    const now = Date.now();
    return [...apps].flatMap(([appId, state]) => {
      // An archived app is reported at its tombstone's version, marked gone: the app page then
      // shows every server on the archive, i.e. no longer serving the app.
      const holds = state.entry ?? state.tombstone;
      const gone = state.entry ? {} : { archived: true as const };
      return holds
        ? [
            {
              instanceId,
              region: options.region,
              appId,
              version: holds.version,
              checksum: holds.checksum,
              appliedAt: holds.appliedAt,
              stalenessMs: contact.staleness(now, state.behindSince),
              reportedAt: now,
              intervalMs: reportIntervalMs,
              ...gone,
            },
          ]
        : [];
    });
  }
  if (options.report) {
    reporter = createReporter({
      redisUrl: options.report.redisUrl,
      ...(options.report.connection && { connection: options.report.connection }),
      ...(options.report.cluster && { cluster: true }),
      instanceId,
      intervalMs: reportIntervalMs,
      retentionMs: options.report.retentionMs ?? DEFAULT_REPORT_RETENTION_MS,
      timeoutMs,
      snapshot: reports,
      onError: emitError,
    });
  }

  /** After any reconnect: a message may have been lost while down, so re-read every stamp. */
  function recheck(first: boolean): void {
    if (closed) return;
    void checker.check(first ? 'load' : 'reconnect');
  }

  commands.on('error', (error) => contact.noteLost(error));
  commands.on('close', () => contact.noteLost(new Error('connection closed')));
  commands.on('ready', () => {
    if (contact.everReady) counters.reconnects += 1;
    contact.noteContact();
    recheck(!contact.everReady);
    contact.everReady = true;
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
    if (isKnownRejection(state, message.version, message.checksum)) return;
    void follow(message.appId, message.version, message.checksum);
  });

  /**
   * Reads what a message announced. Where the PUBLISH does not travel with replication (a Redis
   * Cluster broadcasts it over its bus) it can come before the data: read again, briefly, until
   * the announced version is there. The stamp check stays the net behind this.
   */
  async function follow(appId: string, version: number, checksum: string): Promise<void> {
    for (let attempt = 0; attempt < 6 && !closed; attempt += 1) {
      await refresh(core, appId, 'message');
      const state = apps.get(appId);
      const holds = state && held(state);
      if (!state || (holds && holds.version >= version)) return;
      if (isKnownRejection(state, version, checksum)) return;
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt).unref());
    }
  }
  checker.schedule();

  function hold(appId: string): AppState<T> {
    const known = apps.get(appId);
    if (known) return known;
    const state = newAppState<T>('not loaded yet');
    apps.set(appId, state);
    if (commands.status === 'ready') void refresh(core, appId, 'load');
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
      return contact.staleness(Date.now(), state.behindSince);
    },

    status() {
      return {
        connected: contact.inContact && subscribed && commands.status === 'ready',
        lastContactAt: contact.lastContactAt,
        stalenessMs: contact.staleness(Date.now()),
        replicaLinkUp: contact.linkUp,
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
      core.changeListeners.add(listener);
      return () => core.changeListeners.delete(listener);
    },

    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      checker.stop();
      for (const state of apps.values()) {
        for (const waiter of state.waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error('The config client was closed before the config was ready.'));
        }
        state.waiters.clear();
      }
      const quit = async (redis: Redis | Cluster) => {
        if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      };
      await Promise.all([reporter?.close(), quit(commands), quit(subscriber)]);
      await Promise.allSettled([...apps.values()].flatMap((s) => (s.fetching ? [s.fetching] : [])));
    },
  };
}
