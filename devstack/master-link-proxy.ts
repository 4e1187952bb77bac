import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { LinkPair, listenOnLoopback, type LinkSettings } from './link-proxy';
import { HandshakeSniffer } from './replication-handshake';
import { TLS_SERVERNAME, type TlsFiles } from './tls';

/**
 * The link proxy in front of one master of a devstack cluster (cluster.ts). A cluster replica
 * follows the address its master announces, one address for everyone, so the master announces
 * this proxy's port (cluster-announce-port, or -tls-port) and every connection to it comes here:
 * clients of every region and the replicas of every region. Each connection is told apart by its
 * first commands (replication-handshake.ts): a client's passes through undelayed; a replica's
 * takes the delay and partition of that replica's link (`linkOf` its listening port) from then
 * on, as the plain stack's proxy does for the one replica behind it (link-proxy.ts).
 *
 * What cannot be delayed: the reply to the replica's first PING, sent before it names itself.
 * The cluster bus does not pass here (nodes reach each other's bus port directly), so a
 * partition cuts a region's replication, not its view of the cluster.
 *
 * Over TLS the proxy ends the replica's TLS session and opens its own to the master (it holds
 * the stack's certificate), since the handshake can only be read in clear.
 */
export interface MasterLinkProxyOptions {
  name: string;
  targetPort: number;
  listenPort?: number;
  /** The link of the replica listening on `port`, or undefined for a port of no known replica. */
  linkOf: (replicaPort: number) => LinkSettings | undefined;
  tls?: TlsFiles;
}

const OPEN: LinkSettings = { delayMs: 0, partitioned: false };

interface Connection {
  pair: LinkPair;
  /** The listening port the replica named, once it did. */
  readonly replicaPort: number | undefined;
}

export class MasterLinkProxy {
  readonly name: string;
  readonly targetPort: number;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private listenPort: number;
  private readonly ca: Buffer | undefined;

  constructor(private readonly options: MasterLinkProxyOptions) {
    this.name = options.name;
    this.targetPort = options.targetPort;
    this.listenPort = options.listenPort ?? 0;
    this.ca = options.tls && readFileSync(options.tls.ca);
    const accept = (socket: net.Socket): void => {
      socket.setNoDelay(true);
      this.connections.add(this.track(socket));
    };
    this.server = options.tls
      ? tls.createServer(
          { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
          accept,
        )
      : net.createServer(accept);
    // A client that fails the TLS handshake is its own problem, not the proxy's.
    this.server.on('tlsClientError', () => undefined);
  }

  private track(socket: net.Socket): Connection {
    const sniffer = new HandshakeSniffer();
    let replicaPort: number | undefined;
    const pair = new LinkPair(socket, {
      connect: () => this.connectUpstream(),
      settings: () =>
        replicaPort === undefined ? OPEN : (this.options.linkOf(replicaPort) ?? OPEN),
      forget: () => this.connections.delete(connection),
      inspect: (chunk) => {
        const verdict = sniffer.feed(chunk);
        if (verdict.kind === 'replica') replicaPort ??= verdict.port;
      },
    });
    const connection: Connection = {
      pair,
      get replicaPort() {
        return replicaPort;
      },
    };
    return connection;
  }

  private connectUpstream(): net.Socket {
    const target = { port: this.targetPort, host: '127.0.0.1' };
    return this.ca
      ? tls.connect({ ...target, ca: this.ca, servername: TLS_SERVERNAME })
      : net.connect(target);
  }

  get port(): number {
    return this.listenPort;
  }

  async listen(): Promise<number> {
    this.listenPort = await listenOnLoopback(this.server, this.listenPort);
    return this.listenPort;
  }

  /** Applies changed link settings (a fault) to every connection at once. */
  pump(): void {
    for (const { pair } of this.connections) pair.pump();
  }

  /** Bytes held (delayed or partitioned) on the replication links of the replica on `port`. */
  queuedBytesFor(replicaPort: number): number {
    let sum = 0;
    for (const c of this.connections) if (c.replicaPort === replicaPort) sum += c.pair.queuedBytes;
    return sum;
  }

  /** The replicas' listening ports with a replication connection through here now. */
  replicaPorts(): number[] {
    return [...this.connections].flatMap((c) =>
      c.replicaPort === undefined ? [] : [c.replicaPort],
    );
  }

  close(): Promise<void> {
    for (const { pair } of [...this.connections]) pair.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
