import net from 'node:net';
import { Cursors } from './cursors.js';
import { Sessions } from './sessions.js';
import { FailPoints } from './failpoints.js';
import { Journal, type ReplayResult } from './journal.js';
import { serveConnection } from './connection.js';
import { Store } from './store.js';

export interface StartOptions {
  port?: number;
  host?: string;
  /** Directory for the journal; omit for a purely in-memory server. */
  dbPath?: string;
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

export async function start(
  opts: { port?: number; host?: string; dbPath?: string } = {},
): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const store = new Store();
  let journal: Journal | undefined;
  let replay: ReplayResult | undefined;
  if (opts.dbPath) {
    const opened = Journal.open(opts.dbPath, (change) => store.apply(change));
    journal = opened.journal;
    replay = opened.replay;
    if (replay.changes > store.docCount() + COMPACT_SLACK) journal.rewrite(store.snapshot());
    const j = journal;
    store.onCommit = (changes) => j.append(changes);
  }
  const cursors = new Cursors();
  const sessions = new Sessions();
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
  let stopping: Promise<void> | undefined;
  return {
    uri: `mongodb://${uriHost}:${port}/?directConnection=true`,
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
