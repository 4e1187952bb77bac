import net from 'node:net';

/** Whether nothing listens on 127.0.0.1:port right now (a bind probe, not a connect probe). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Reserves `count` distinct free ports by holding every probe socket open until all are chosen,
 * so the kernel cannot hand the same port out twice within one call. Ports in `preferred` are
 * reused when still free, which keeps a restarted stack on the ports it had before.
 */
export async function freePorts(
  count: number,
  preferred: readonly (number | undefined)[] = [],
): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const wish = preferred[i];
      let server = wish !== undefined && !ports.includes(wish) ? await listenOn(wish) : undefined;
      server ??= await listenOn(0);
      if (!server) throw new Error('could not reserve a free port on 127.0.0.1');
      held.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string')
        throw new Error('unexpected server address');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function freePort(preferred?: number): Promise<number> {
  const [port] = await freePorts(1, preferred === undefined ? [] : [preferred]);
  if (port === undefined) throw new Error('could not reserve a free port');
  return port;
}

function listenOn(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}
