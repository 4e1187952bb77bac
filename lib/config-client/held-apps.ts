/**
 * The apps one client holds, and how one app follows its replica: read the hash, verify it,
 * and swap it in only if it is newer. Refusals are counted and reported once per distinct
 * stamp; the last good config keeps serving.
 */
import type { Cluster, Redis } from 'ioredis';
import { configKey } from '../contract/cache-layout';
import type { SecretKeys } from '../contract/secret-envelope';
import { decodeEntry, deepFreeze, type DecodeResult } from './decode-entry';
import { AppArchivedError, ConfigClientError } from './errors';
import type { ReplicaContact } from './replica-contact';
import type {
  ArchivedApp,
  ChangeSource,
  ConfigChange,
  ConfigClientStats,
  ConfigEntry,
  Logger,
} from './types';

export interface Waiter<T> {
  resolve(entry: ConfigEntry<T>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface AppState<T> {
  entry: ConfigEntry<T> | null;
  /** Set while the cache holds a tombstone for the app: archived, not served (entry is null). */
  tombstone: ArchivedApp | null;
  /** A read of the hash in flight; `again` asks for one more after it (coalescing). */
  fetching: Promise<void> | null;
  again: ChangeSource | null;
  /** Since when a newer version is known to exist that this client could not apply. */
  behindSince: number | null;
  /**
   * The last entry refused, so it is counted and reported once, not at every check. `reread`:
   * refused for a key this client lacks; a re-seal under a key it holds keeps the same stamp, so
   * the stamp check reads such an entry again instead of trusting the stamp.
   */
  rejected: { version: number; checksum: string | null; reread: boolean } | null;
  /** Why the app is not ready yet, for ready()'s timeout message. */
  problem: string | null;
  waiters: Set<Waiter<T>>;
}

export type Counters = Omit<ConfigClientStats, 'reportsSent' | 'reportFailures'>;

/** What the parts of one client share. */
export interface ClientCore<T> {
  readonly region: string;
  readonly apps: Map<string, AppState<T>>;
  readonly counters: Counters;
  readonly contact: ReplicaContact;
  /** The command connection to the replica (the subscriber has its own). */
  readonly commands: Redis | Cluster;
  /** The region's node URLs on a cluster deployment (empty otherwise). */
  readonly regionNodes: readonly string[];
  readonly validate: (config: unknown) => T;
  /** Opens the secrets sealed in entries (empty: entries with sealed secrets are refused). */
  readonly secretKeys: SecretKeys;
  readonly logger: Logger;
  readonly changeListeners: Set<(change: ConfigChange<T>) => void>;
  isClosed(): boolean;
  emitError(error: ConfigClientError): void;
  /** After a swap: tell Propagate soon which version this instance holds. */
  reportSoon(): void;
}

export function newAppState<T>(problem: string | null = null): AppState<T> {
  return {
    entry: null,
    tombstone: null,
    fetching: null,
    again: null,
    behindSince: null,
    rejected: null,
    problem,
    waiters: new Set(),
  };
}

/** What the client holds for an app, config or tombstone: the version anything new must beat. */
export function held(state: AppState<unknown>): { version: number; checksum: string } | null {
  return state.entry ?? state.tombstone;
}

/** This exact stamp was refused already: checking or fetching it again changes nothing. */
export function isKnownRejection(
  state: AppState<unknown>,
  version: number | null,
  checksum: string | null,
): boolean {
  return (
    state.rejected !== null &&
    state.rejected.version === version &&
    state.rejected.checksum === checksum
  );
}

export function missingProblem(region: string, appId: string): string {
  return `the replica in ${region} has no config for app "${appId}" (key ${configKey(appId)} is missing)`;
}

/** Refuses an entry: counted and reported once per distinct stamp, never applied. */
function refuse<T>(
  core: ClientCore<T>,
  state: AppState<T>,
  version: number | null,
  checksum: string | null,
  error: ConfigClientError,
): void {
  state.problem = error.message;
  const reread = error.kind === 'missing-key';
  const holds = held(state);
  if (version !== null && (!holds || version > holds.version)) state.behindSince ??= Date.now();
  if (isKnownRejection(state, version, checksum)) return;
  state.rejected = { version: version ?? -1, checksum, reread };
  core.counters.rejected += 1;
  core.emitError(error);
}

/** Why a newer entry is refused, worded for the service's logs. */
function refusal<T>(
  appId: string,
  decoded: Extract<DecodeResult<T>, { status: 'invalid' | 'checksum-mismatch' | 'missing-key' }>,
  held: ConfigEntry<T> | null,
  keys: SecretKeys,
): ConfigClientError {
  const serving = `still serving version ${held?.version ?? 'none'}`;
  if (decoded.status === 'missing-key') {
    const holds = keys.size ? `it holds ${[...keys.keys()].join(', ')}` : 'it holds none';
    return new ConfigClientError(
      'missing-key',
      `Refused version ${decoded.version} of app "${appId}": its secret at ${decoded.path} is sealed with key "${decoded.kid}", which this client was not given (${holds}; add it to CACHE_SECRET_KEYS); ${serving}`,
      { appId, version: decoded.version },
    );
  }
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
async function fetchOnce<T>(
  core: ClientCore<T>,
  appId: string,
  state: AppState<T>,
  source: ChangeSource,
): Promise<void> {
  let fields: Record<string, string>;
  try {
    fields = await core.commands.hgetall(configKey(appId));
  } catch (error) {
    state.problem = `replica ${core.region} did not answer: ${String(error)}`;
    core.contact.noteLost(error);
    return;
  }
  core.contact.noteContact();
  const decoded = decodeEntry(fields, core.validate, { appId, keys: core.secretKeys });
  const previous = state.entry;
  const holds = held(state);
  switch (decoded.status) {
    case 'missing':
      state.problem = missingProblem(core.region, appId);
      return;
    case 'invalid':
    case 'checksum-mismatch':
    case 'missing-key':
      if (holds && decoded.version !== null && decoded.version <= holds.version) {
        core.counters.ignored += 1;
        return;
      }
      refuse(
        core,
        state,
        decoded.version,
        decoded.checksum,
        refusal(appId, decoded, previous, core.secretKeys),
      );
      return;
    case 'archived':
      // A tombstone is ordered like any version: it never replaces a newer (restored) config.
      if (holds && decoded.version <= holds.version) {
        core.counters.ignored += 1;
        return;
      }
      archive(core, appId, state, decoded, source);
      return;
    case 'ok':
      break;
  }
  const { entry } = decoded;
  if (holds && entry.version <= holds.version) {
    // Duplicates and out-of-order reads never regress; same version, other checksum is a divergence.
    core.counters.ignored += 1;
    if (entry.version === holds.version && entry.checksum !== holds.checksum) {
      refuse(
        core,
        state,
        entry.version,
        entry.checksum,
        new ConfigClientError(
          'diverged',
          `App "${appId}" version ${entry.version} in ${core.region} has another checksum than the one held; keeping the held one`,
          { appId, version: entry.version },
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
  core.counters.applied += 1;
  for (const waiter of state.waiters) {
    clearTimeout(waiter.timer);
    waiter.resolve(current);
  }
  state.waiters.clear();
  notifyChange(core, { appId, previous, current, archived: null, source });
}

/** Stops serving an archived app: get() throws AppArchivedError until a newer version arrives. */
function archive<T>(
  core: ClientCore<T>,
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
  core.counters.applied += 1;
  core.logger.info(
    `[config-client] ${appId} archived at v${decoded.version}; no longer serving it (was v${previous?.version ?? '-'})`,
  );
  for (const waiter of state.waiters) {
    clearTimeout(waiter.timer);
    waiter.reject(new AppArchivedError(appId, decoded.version));
  }
  state.waiters.clear();
  notifyChange(core, { appId, previous, current: null, archived: tombstone, source });
}

function notifyChange<T>(core: ClientCore<T>, change: ConfigChange<T>): void {
  for (const listener of core.changeListeners) {
    try {
      listener(change);
    } catch (error) {
      core.logger.warn(`[config-client] onChange listener threw: ${String(error)}`);
    }
  }
  core.reportSoon();
}

/** One read per app at a time; requests that arrive meanwhile get one more read after it. */
export function refresh<T>(
  core: ClientCore<T>,
  appId: string,
  source: ChangeSource,
): Promise<void> {
  const state = core.apps.get(appId);
  if (!state || core.isClosed()) return Promise.resolve();
  if (state.fetching) {
    state.again = source;
    return state.fetching;
  }
  state.fetching = (async () => {
    let next: ChangeSource | null = source;
    while (next && !core.isClosed()) {
      state.again = null;
      await fetchOnce(core, appId, state, next);
      next = state.again;
    }
  })().finally(() => {
    state.fetching = null;
  });
  return state.fetching;
}
