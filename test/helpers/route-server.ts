import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * The app's route handlers (app/api/**\/route.ts) served over real HTTP inside the test process,
 * for clients that must be tested as separate programs (the `propagate` CLI) without building
 * Next. Paths map to files as Next maps them: `[param]` segments, static segments first.
 */

type Handler = (
  request: Request,
  ctx: { params: Promise<Record<string, string>> },
) => Promise<Response>;

interface RouteFile {
  pattern: RegExp;
  names: string[];
  specificity: number;
  file: string;
}

const API_DIR = path.resolve(import.meta.dirname, '../../app/api');

function routeFiles(): RouteFile[] {
  return readdirSync(API_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'route.ts')
    .map((f) => {
      const segments = [
        'api',
        ...path
          .dirname(f)
          .split(path.sep)
          .filter((s) => s !== '.'),
      ];
      const names: string[] = [];
      const source = segments
        .map((s) => {
          const param = /^\[(\w+)\]$/.exec(s)?.[1];
          if (!param) return s.replace(/[.]/g, '\\.');
          names.push(param);
          return '([^/]+)';
        })
        .join('/');
      return {
        pattern: new RegExp(`^/${source}$`),
        names,
        specificity: segments.length * 10 - names.length,
        file: path.join(API_DIR, f),
      };
    })
    .sort((a, b) => b.specificity - a.specificity);
}

async function body(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  // Our API speaks JSON only, so the body is text.
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
}

export async function startRouteServer(): Promise<{
  url: string;
  /** `METHOD /path` of every request served, in order. */
  requests: string[];
  close: () => Promise<void>;
}> {
  const routes = routeFiles();
  // Imported once per file: a dynamic import per request would go through the loader each time.
  const modules = new Map<string, Promise<Record<string, Handler | undefined>>>();
  const load = (file: string) => {
    let mod = modules.get(file);
    if (!mod)
      modules.set(file, (mod = import(file) as Promise<Record<string, Handler | undefined>>));
    return mod;
  };
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      requests.push(`${req.method ?? 'GET'} ${url.pathname}`);
      const route = routes.find((r) => r.pattern.test(url.pathname));
      const mod = route ? await load(route.file) : {};
      const handler = mod[req.method ?? 'GET'];
      if (!route || !handler) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"detail":"no such route"}');
        return;
      }
      const match = route.pattern.exec(url.pathname) ?? [];
      const params = Object.fromEntries(
        route.names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]),
      );
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string') headers.set(k, v);
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      const response = await handler(
        new Request(url, {
          method: req.method,
          headers,
          body: await body(req),
          signal: controller.signal,
        }),
        { params: Promise.resolve(params) },
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      // Streamed as it is produced: event streams must reach the client before they end.
      if (response.body) {
        for await (const chunk of response.body) res.write(chunk);
      }
      res.end();
    })().catch((error: unknown) => {
      console.error('[route-server]', error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // A deep accept queue: a load test opens thousands of connections at once, and with Node's
  // default (511) the rest wait out SYN retries of seconds, which measures the kernel, not us.
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
