import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkProxy } from './link-proxy';

/** A stand-in primary: records what it receives and lets the test push bytes to the client. */
async function fakePrimary(): Promise<{
  port: number;
  received: () => string;
  send: (data: string) => void;
  end: () => void;
  close: () => Promise<void>;
}> {
  let socket: net.Socket | undefined;
  let received = '';
  const server = net.createServer((s) => {
    socket = s;
    s.setEncoding('utf8');
    s.on('data', (d: string) => (received += d));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    received: () => received,
    send: (data) => socket?.write(data),
    end: () => socket?.end(),
    close: () =>
      new Promise((resolve) => {
        socket?.destroy();
        server.close(() => resolve());
      }),
  };
}

async function replicaClient(port: number): Promise<{
  socket: net.Socket;
  received: () => string;
  arrivals: { at: number; data: string }[];
}> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  const arrivals: { at: number; data: string }[] = [];
  socket.on('data', (data: string) => arrivals.push({ at: Date.now(), data }));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, arrivals, received: () => arrivals.map((a) => a.data).join('') };
}

const until = async (condition: () => boolean, timeoutMs = 2000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(delayMs: number) {
  const primary = await fakePrimary();
  const proxy = new LinkProxy({ name: 'test', targetPort: primary.port, delayMs });
  const port = await proxy.listen();
  const replica = await replicaClient(port);
  cleanups.push(
    () => primary.close(),
    () => proxy.close(),
    () => void replica.socket.destroy(),
  );
  replica.socket.write('hello'); // makes the proxy open its upstream before the primary writes
  await until(() => primary.received() === 'hello');
  return { primary, proxy, replica };
}

describe('LinkProxy', () => {
  it('delays primary→replica bytes by the configured time, in order, and replica→primary not at all', async () => {
    const { primary, replica } = await setup(80);
    const sentAt = Date.now();
    for (let i = 0; i < 50; i += 1) primary.send(`${i},`);
    await until(() => replica.received().split(',').length > 50);
    expect(replica.received()).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
    expect((replica.arrivals[0]?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(75);

    const upAt = Date.now();
    replica.socket.write('ack');
    await until(() => primary.received().endsWith('ack'));
    expect(Date.now() - upAt).toBeLessThan(40);
  });

  it('keeps byte order when the delay is lowered mid-stream', async () => {
    const { primary, proxy, replica } = await setup(100);
    primary.send('a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    proxy.setDelay(0);
    primary.send('b');
    await until(() => replica.received().length === 2);
    expect(replica.received()).toBe('ab');
  });

  it('holds everything during a partition and delivers it all after heal', async () => {
    const { primary, proxy, replica } = await setup(0);
    proxy.partition();
    const payload = 'x'.repeat(200_000);
    primary.send(payload);
    replica.socket.write('from-replica');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(replica.received()).toBe('');
    expect(primary.received()).toBe('hello');
    expect(proxy.status()).toMatchObject({ partitioned: true, connections: 1 });

    proxy.heal();
    await until(() => replica.received().length === payload.length);
    await until(() => primary.received() === 'hellofrom-replica');
    expect(replica.received()).toBe(payload);
  });

  it('carries a close from the primary to the replica behind the delayed bytes', async () => {
    const { primary, replica } = await setup(50);
    primary.send('last words');
    primary.end();
    await new Promise<void>((resolve) => replica.socket.once('end', () => resolve()));
    expect(replica.received()).toBe('last words');
  });

  it('opens no upstream for a connection made during a partition until heal', async () => {
    const primary = await fakePrimary();
    const proxy = new LinkProxy({ name: 'test', targetPort: primary.port });
    const port = await proxy.listen();
    cleanups.push(
      () => primary.close(),
      () => proxy.close(),
    );
    proxy.partition();
    const replica = await replicaClient(port);
    cleanups.push(() => void replica.socket.destroy());
    replica.socket.write('PING');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(primary.received()).toBe('');
    proxy.heal();
    await until(() => primary.received() === 'PING');
  });
});
