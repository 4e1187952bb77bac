/** What went wrong, as a service's logs and alerts want to tell it apart. */
export type ConfigClientErrorKind =
  /** The hash's body does not hash to its checksum: never applied. */
  | 'checksum-mismatch'
  /** The hash cannot be read as a config (version not an integer, body not JSON, validate threw). */
  | 'invalid-entry'
  /**
   * A secret in the entry is sealed with a key id this client was not given (`secretKeys`):
   * never applied; add the key to the service's keyring (CACHE_SECRET_KEYS).
   */
  | 'missing-key'
  /** Same version as the one held but a different checksum: someone wrote the cache by hand. */
  | 'diverged'
  /** The replica did not answer (connection lost, timeout). The last good config keeps serving. */
  | 'unreachable'
  /** The version report to the primary failed; serving is not affected. */
  | 'report-failed';

export class ConfigClientError extends Error {
  readonly kind: ConfigClientErrorKind;
  readonly appId: string | null;
  readonly version: number | null;

  constructor(
    kind: ConfigClientErrorKind,
    message: string,
    details: { appId?: string; version?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ConfigClientError';
    this.kind = kind;
    this.appId = details.appId ?? null;
    this.version = details.version ?? null;
  }
}

/** Thrown by `get()` for an app that has no verified config yet, and by `ready()` on timeout. */
export class ConfigNotReadyError extends Error {
  readonly appId: string;

  constructor(appId: string, message: string) {
    super(message);
    this.name = 'ConfigNotReadyError';
    this.appId = appId;
  }
}

/**
 * Thrown by `get()` and `ready()` for an app that was archived in Propagate: its cache entry is a
 * tombstone, so the client no longer serves it (until a restore, which is a newer version).
 * A subclass of ConfigNotReadyError, so code that only knows "not ready" still refuses to serve.
 */
export class AppArchivedError extends ConfigNotReadyError {
  /** The tombstone's version. */
  readonly version: number;

  constructor(appId: string, version: number) {
    super(
      appId,
      `App "${appId}" was archived in Propagate (version ${version}); this client no longer serves it.`,
    );
    this.name = 'AppArchivedError';
    this.version = version;
  }
}
