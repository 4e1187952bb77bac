/** The public types of the config client (README.md shows them in use). */
import type { ConnectionOptions } from 'node:tls';
import type { SecretKeys } from '../contract/secret-envelope';
import type { ConfigClientError } from './errors';

/**
 * How to sign in and encrypt, for a Redis the client connects to: its ACL user, and TLS options
 * (`ca`, `servername`; a `rediss://` URL turns TLS on by itself). README, "Production connections".
 */
export interface RedisConnection {
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
}

export interface ConfigEntry<T = unknown> {
  readonly appId: string;
  readonly version: number;
  readonly checksum: string;
  /** Deep-frozen: every caller shares it; a swap replaces the whole object. */
  readonly config: T;
  /** When Propagate committed this version (ms since epoch), as stamped in the cache. */
  readonly committedAt: number | null;
  /** When this client swapped it in (ms since epoch). */
  readonly appliedAt: number;
}

/** An app whose cache entry is a tombstone: it was archived and is no longer served. */
export interface ArchivedApp {
  readonly appId: string;
  /** The tombstone's version; a restore arrives as a newer one. */
  readonly version: number;
  readonly checksum: string;
  /** When Propagate committed the archive (ms since epoch). */
  readonly committedAt: number | null;
  /** When this client stopped serving the app (ms since epoch). */
  readonly appliedAt: number;
}

/** How the client learned about a version: first load, a pub/sub message, or a safety net. */
export type ChangeSource = 'load' | 'message' | 'stamp-check' | 'reconnect';

export interface ConfigChange<T = unknown> {
  appId: string;
  /** The config served before the change; null when there was none (or the app was archived). */
  previous: ConfigEntry<T> | null;
  /** The config served from now on; null when the change archived the app (see `archived`). */
  current: ConfigEntry<T> | null;
  /** Set when the change is an archive: the client stopped serving the app. */
  archived: ArchivedApp | null;
  source: ChangeSource;
}

export interface ConfigClientStatus {
  /** The replica answers and the subscription is live. */
  connected: boolean;
  /** The last time the replica answered (ms since epoch), null before it ever did. */
  lastContactAt: number | null;
  /** How long the client may have been serving outdated config; 0 when known current. */
  stalenessMs: number;
  /** false when the replica itself reports its link to the primary down (INFO replication). */
  replicaLinkUp: boolean | null;
}

export interface ConfigClientStats {
  messages: number;
  /** Versions swapped in. */
  applied: number;
  /** Messages or reads that were not newer than what is held (duplicates, out of order). */
  ignored: number;
  /** Distinct entries refused: checksum mismatch or unusable body. */
  rejected: number;
  malformedMessages: number;
  stampChecks: number;
  stampCheckFailures: number;
  reconnects: number;
  reportsSent: number;
  reportFailures: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export interface ConfigClientOptions<T = unknown> {
  /** The region's replica (read-only is fine; the client never writes to it). */
  redisUrl: string;
  /** The replica's reader user and TLS settings. */
  connection?: RedisConnection;
  /**
   * The deployment is a Redis Cluster: `redisUrl` and these `nodes` are the region's nodes (at
   * least one per shard, by the address the cluster announces), and each key is read from the
   * region's node that serves its slot. README, "Redis Cluster".
   */
  cluster?: { nodes: string[] };
  region: string;
  /** Apps to hold from the start; more can be added with ready(appId). */
  apps?: string[];
  /** Safety net for lost messages: one pipelined read of every held app's stamp. */
  stampCheckIntervalMs?: number;
  /** How long ready() waits by default before rejecting (the app stays held and keeps trying). */
  readyTimeoutMs?: number;
  /** Per-command and connect timeout on the replica. */
  timeoutMs?: number;
  /** Report which version this instance holds to the PRIMARY Redis (see README). */
  report?: {
    redisUrl: string;
    /** The reporter user (it may write reports only) and TLS settings for the primary. */
    connection?: RedisConnection;
    /** The primary is a Redis Cluster (`redisUrl` is any of its masters): reports go by slot. */
    cluster?: boolean;
    intervalMs?: number;
    retentionMs?: number;
  };
  instanceId?: string;
  /**
   * The keys that open secrets Propagate sealed for the cache (key id → 32-byte key), every key
   * the writer may have sealed with: `secretKeysFromEnv(process.env)` reads CACHE_SECRET_KEYS.
   * An entry sealed with a key not given here is refused (`missing-key`), never served sealed.
   */
  secretKeys?: SecretKeys;
  /** Refuse configs this service cannot use (throw); the return value is what get() serves. */
  validate?: (config: unknown) => T;
  logger?: Logger;
}

export interface ConfigClient<T = unknown> {
  readonly instanceId: string;
  readonly region: string;
  /** Holds the app and resolves once a verified config is in memory. */
  ready(appId: string, options?: { timeoutMs?: number }): Promise<ConfigEntry<T>>;
  /**
   * The held config, synchronously. Throws ConfigNotReadyError before the first verified load,
   * and AppArchivedError (a ConfigNotReadyError) once the app was archived.
   */
  get(appId: string): ConfigEntry<T>;
  /** null when the app is held but not loaded yet, or archived. */
  peek(appId: string): ConfigEntry<T> | null;
  /** The tombstone when the app was archived (and not restored since), else null. */
  archived(appId: string): ArchivedApp | null;
  heldApps(): string[];
  staleness(appId: string): number;
  status(): ConfigClientStatus;
  stats(): ConfigClientStats;
  onChange(listener: (change: ConfigChange<T>) => void): () => void;
  onError(listener: (error: ConfigClientError) => void): () => void;
  /** Resolves once every timer and socket is gone. */
  close(): Promise<void>;
}
