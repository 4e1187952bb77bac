import net from 'node:net';

/**
 * A TCP proxy on one replica's replication link. It simulates distance with a one-way delay on the
 * primary→replica direction (what a far region sees as propagation time) and a network partition
 * that holds everything: nothing is dropped, a FIN is held like any byte, and a connection opened
 * during the partition is only carried to the primary after the heal, as if its SYN were stuck.
 */
export interface LinkProxyOptions {
  name: string;
  targetPort: number;
  targetHost?: string;
  /** Delay added to every chunk travelling primary→replica. */
  delayMs?: number;
  listenPort?: number;
}

export interface LinkProxyStatus {
  name: string;
  port: number;
  targetPort: number;
  delayMs: number;
  partitioned: boolean;
  connections: number;
  /** Bytes read but not yet delivered (delayed or held by a partition). */
  queuedBytes: number;
}

const END = Symbol('end');
type Item = { due: number; data: Buffer | typeof END };

/** One direction of one connection: a FIFO in which each chunk is due at arrival + delay. */
class Lane {
  private readonly queue: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private backpressured = false;
  queuedBytes = 0;

  constructor(
    private readonly source: net.Socket,
    private readonly sink: () => net.Socket | undefined,
    private readonly delayMs: () => number,
    private readonly partitioned: () => boolean,
  ) {
    source.on('data', (chunk: Buffer) => this.push(chunk));
    source.on('end', () => this.push(END));
  }

  private push(data: Buffer | typeof END): void {
    this.queue.push({ due: Date.now() + this.delayMs(), data });
    if (data !== END) this.queuedBytes += data.length;
    this.pump();
  }

  /** Delivers every due item in order; a later chunk never overtakes an earlier one. */
  pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.partitioned()) {
      this.source.pause();
      return;
    }
    const sink = this.sink();
    if (!sink) return; // upstream not connected yet; the pair pumps again on connect
    const now = Date.now();
    let head = this.queue[0];
    while (head && head.due <= now) {
      this.queue.shift();
      if (head.data === END) {
        sink.end();
      } else {
        this.queuedBytes -= head.data.length;
        // A sink that is no longer writable belongs to a peer that has gone: nobody is left to receive.
        if (sink.writable && !sink.write(head.data) && !this.backpressured) {
          this.backpressured = true;
          sink.once('drain', () => {
            this.backpressured = false;
            if (!this.partitioned()) this.source.resume();
          });
        }
      }
      head = this.queue[0];
    }
    if (this.backpressured) this.source.pause();
    else this.source.resume();
    if (head) this.timer = setTimeout(() => this.pump(), head.due - now);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** What a connection's link does at this moment: its primary→replica delay and whether it is cut. */
export interface LinkSettings {
  readonly delayMs: number;
  readonly partitioned: boolean;
}

export interface LinkPairOptions {
  /** Opens the connection to the server behind the proxy. */
  connect: () => net.Socket;
  settings: () => LinkSettings;
  /** Called once both sockets are gone. */
  forget: (pair: LinkPair) => void;
  /** Sees each chunk the client sends before it is queued (so it can change the settings). */
  inspect?: (chunk: Buffer) => void;
}

/** One proxied connection: the client's socket, the server's, and a lane each way. */
export class LinkPair {
  upstream: net.Socket | undefined;
  private readonly down: Lane;
  private up: Lane | undefined;
  private readonly lanes: Lane[] = [];
  closed = false;

  constructor(
    readonly downstream: net.Socket,
    private readonly options: LinkPairOptions,
  ) {
    const { inspect, settings } = options;
    if (inspect) downstream.on('data', inspect); // before the lane's listener: it runs first
    // Replica→primary carries acks and PINGs: no added delay, only the partition applies.
    this.down = new Lane(
      downstream,
      () => this.upstream,
      () => 0,
      () => settings().partitioned,
    );
    this.lanes.push(this.down);
    downstream.on('close', () => this.onClose());
    downstream.on('error', () => this.destroy());
    if (!settings().partitioned) this.connectUpstream();
    else downstream.pause();
  }

  connectUpstream(): void {
    if (this.upstream || this.closed) return;
    const upstream = this.options.connect();
    upstream.setNoDelay(true);
    this.upstream = upstream;
    const { settings } = this.options;
    this.up = new Lane(
      upstream,
      () => this.downstream,
      () => settings().delayMs,
      () => settings().partitioned,
    );
    this.lanes.push(this.up);
    upstream.on('close', () => this.onClose());
    upstream.on('error', () => this.destroy());
  }

  pump(): void {
    if (this.options.settings().partitioned) {
      for (const lane of this.lanes) lane.pump();
      return;
    }
    // Writes to a socket that is still connecting are buffered by Node, in order.
    this.connectUpstream();
    for (const lane of this.lanes) lane.pump();
  }

  get queuedBytes(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.queuedBytes, 0);
  }

  private onClose(): void {
    // A graceful close travels as an END item through its lane (so a delayed FIN stays behind the
    // delayed bytes); the pair is only torn down once both sockets are gone.
    if (this.downstream.destroyed && (!this.upstream || this.upstream.destroyed)) this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes) lane.stop();
    this.downstream.destroy();
    this.upstream?.destroy();
    this.options.forget(this);
  }
}

export class LinkProxy {
  readonly name: string;
  readonly targetPort: number;
  readonly targetHost: string;
  delayMs: number;
  partitioned = false;
  private readonly server: net.Server;
  private readonly pairs = new Set<LinkPair>();
  private listenPort: number;

  constructor(options: LinkProxyOptions) {
    this.name = options.name;
    this.targetPort = options.targetPort;
    this.targetHost = options.targetHost ?? '127.0.0.1';
    this.delayMs = options.delayMs ?? 0;
    this.listenPort = options.listenPort ?? 0;
    this.server = net.createServer((socket) => {
      socket.setNoDelay(true);
      this.pairs.add(
        new LinkPair(socket, {
          connect: () => net.connect({ port: this.targetPort, host: this.targetHost }),
          settings: () => this,
          forget: (pair) => this.pairs.delete(pair),
        }),
      );
    });
  }

  get port(): number {
    return this.listenPort;
  }

  async listen(): Promise<number> {
    this.listenPort = await listenOnLoopback(this.server, this.listenPort);
    return this.listenPort;
  }

  setDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new Error(`delay must be a non-negative number of ms, got ${ms}`);
    this.delayMs = ms;
  }

  partition(): void {
    this.partitioned = true;
    for (const pair of this.pairs) pair.pump();
  }

  heal(): void {
    this.partitioned = false;
    for (const pair of this.pairs) pair.pump();
  }

  /** Drops every live connection (used when the replica behind it is killed or the stack stops). */
  dropConnections(): void {
    for (const pair of [...this.pairs]) pair.destroy();
  }

  status(): LinkProxyStatus {
    let queuedBytes = 0;
    for (const pair of this.pairs) queuedBytes += pair.queuedBytes;
    return {
      name: this.name,
      port: this.listenPort,
      targetPort: this.targetPort,
      delayMs: this.delayMs,
      partitioned: this.partitioned,
      connections: this.pairs.size,
      queuedBytes,
    };
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A listening proxy, on `preferredPort` if still free (the last run's), else on any port. */
export async function listenLinkProxy(
  options: Omit<LinkProxyOptions, 'listenPort'>,
  preferredPort = 0,
): Promise<LinkProxy> {
  const proxy = new LinkProxy({ ...options, listenPort: preferredPort });
  try {
    await proxy.listen();
    return proxy;
  } catch {
    const fresh = new LinkProxy(options); // the port was taken meanwhile
    await fresh.listen();
    return fresh;
  }
}

/** Listens on 127.0.0.1:`port` (0: any free port); resolves with the port it got. */
export function listenOnLoopback(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(address && typeof address !== 'string' ? address.port : port);
    });
  });
}
