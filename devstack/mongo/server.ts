import net from 'node:net';
import { Cursors } from './cursors.js';
import { type HistoryRecord, Sessions } from './sessions.js';
import { FailPoints } from './failpoints.js';
import { type Entry, Journal, type ReplayResult } from './journal.js';
import { serveConnection } from './connection.js';
import { Store } from './store.js';
import { DEVSTACK_REPLICA_SET, ReplicaSetPrimary } from './replica-set.js';
import type { Doc } from './values.js';

export interface StartOptions {
  port?: number;
  host?: string;
  /** Directory for the journal; omit for a purely in-memory server. */
  dbPath?: string;
  /**
   * The replica set this server presents itself as the only member (and primary) of, so that
   * `?replicaSet=<name>` URIs, majority write concern and retryable writes work as on a real
   * set; `false` for a standalone. Default: `devstack`.
   */
  replicaSet?: string | false;
  /** Sees every command as received (after framing), for tests that assert what the driver sent. */
  onCommand?: (body: Doc) => void;
}

export interface RunningServer {
  uri: string;
  port: number;
  /** What the journal replay found on start (undefined without dbPath). */
  replay?: ReplayResult;
  stop(): Promise<void>;
}

/** Replayed journals longer than this many records beyond the live state get rewritten. */
const COMPACT_SLACK = 1000;

/** What a compacted journal holds: the data, then the retry histories still live. */
function* snapshot(store: Store, histories: HistoryRecord[]): Generator<Entry> {
  yield* store.snapshot();
  yield* histories;
}

export async function start(opts: StartOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const setName = opts.replicaSet ?? DEVSTACK_REPLICA_SET;
  const store = new Store();
  const sessions = new Sessions();
  let journal: Journal | undefined;
  let replay: ReplayResult | undefined;
  if (opts.dbPath) {
    const opened = Journal.open(opts.dbPath, (entry) =>
      entry.o === 'rw' ? sessions.restore(entry) : store.apply(entry),
    );
    journal = opened.journal;
    replay = opened.replay;
    const live = [...sessions.snapshot()];
    if (replay.changes > store.docCount() + live.length + COMPACT_SLACK)
      journal.rewrite(snapshot(store, live));
  }
  // Known once the port is: hello names the member by host:port.
  let replicaSet: ReplicaSetPrimary | undefined;
  store.onCommit = ({ changes, history, durable }) => {
    // A history leads the changes it made as one group: replay keeps both or neither.
    if (history) journal?.append([{ ...history, g: changes.length }, ...changes]);
    else if (changes.length) journal?.append(changes);
    if (durable) journal?.sync();
    if (changes.length) replicaSet?.noteWrite();
  };
  const cursors = new Cursors();
  const failPoints = new FailPoints();
  const sockets = new Set<net.Socket>();
  let connectionId = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, {
      store,
      cursors,
      sessions,
      failPoints,
      connectionId: ++connectionId,
      replicaSet,
      onCommand: opts.onCommand,
    });
  });
  server.maxConnections = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const uriHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  if (setName) replicaSet = new ReplicaSetPrimary(setName, `${uriHost}:${port}`);
  let stopping: Promise<void> | undefined;
  return {
    uri: `mongodb://${uriHost}:${port}/?${setName ? `replicaSet=${encodeURIComponent(setName)}` : 'directConnection=true'}`,
    port,
    replay,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          cursors.close();
          journal?.close();
          resolve();
        });
      });
      return stopping;
    },
  };
}
