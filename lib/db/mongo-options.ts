import 'server-only';
import {
  MongoServerSelectionError,
  type MongoClientOptions,
  type ServerHeartbeatSucceededEvent,
} from 'mongodb';

/**
 * How Propagate talks to MongoDB unless MONGODB_URI says otherwise (see docs/production.md):
 *
 * - `w: 'majority'`: a save is acknowledged once a majority of the replica set holds it, so a
 *   failover cannot roll back a version the worker may already have pushed to the cache.
 * - `readConcern: 'majority'`: the worker pushes what it reads; reading only majority-committed
 *   data means it never pushes a version that a failover could still take back.
 * - `readPreference: 'primary'`: a save reads its head and writes after it; a secondary may lag
 *   behind the commit the user just made.
 * - `retryWrites`: a write interrupted by a failover or a dropped connection is retried once on
 *   the new primary, and the server applies it at most once.
 * - `wtimeoutMS`: without it a majority write waits for ever when the majority is gone; the save
 *   fails instead, and the user sees it (the unique {appId, version} index makes a retry safe).
 */
const DEFAULTS: Array<{ uriNames: string[]; options: MongoClientOptions }> = [
  {
    uriNames: ['w', 'wtimeoutms', 'journal'],
    options: { writeConcern: { w: 'majority', wtimeoutMS: 10_000 } },
  },
  { uriNames: ['readconcernlevel'], options: { readConcern: { level: 'majority' } } },
  { uriNames: ['readpreference'], options: { readPreference: 'primary' } },
  { uriNames: ['retrywrites'], options: { retryWrites: true } },
];

/** URI option names, lower-cased as the driver compares them. */
function uriOptionNames(uri: string): Set<string> {
  const query = uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '';
  return new Set([...new URLSearchParams(query).keys()].map((k) => k.toLowerCase()));
}

/**
 * The defaults above, except where MONGODB_URI sets the same thing: the driver would let
 * constructor options override the URI, and an operator's URI must keep the last word.
 */
export function mongoClientOptions(uri: string): MongoClientOptions {
  const inUri = uriOptionNames(uri);
  const options: MongoClientOptions = { serverSelectionTimeoutMS: 5_000, appName: 'propagate' };
  for (const { uriNames, options: defaults } of DEFAULTS)
    if (!uriNames.some((name) => inUri.has(name))) Object.assign(options, defaults);
  return options;
}

/**
 * The driver drops a server whose hello names another replica set (or none) than the URI's
 * `replicaSet`, and then only says that selection timed out. This keeps what each server said,
 * so the failure can name the mismatch.
 */
export class SetNameWitness {
  private readonly seen = new Map<string, string | undefined>();

  readonly listener = (event: ServerHeartbeatSucceededEvent): void => {
    this.seen.set(event.connectionId, event.reply.setName as string | undefined);
  };

  explain(error: unknown): unknown {
    if (!(error instanceof MongoServerSelectionError)) return error;
    const wanted = error.reason?.setName;
    if (!wanted) return error;
    const others = [...this.seen].filter(([, setName]) => setName !== wanted);
    if (others.length === 0) return error;
    const said = others
      .map(([address, setName]) =>
        setName ? `${address} is a member of "${setName}"` : `${address} is not in a replica set`,
      )
      .join('; ');
    return new Error(
      `MongoDB: MONGODB_URI names replica set "${wanted}", but ${said}; fix replicaSet= in MONGODB_URI`,
      { cause: error },
    );
  }
}
