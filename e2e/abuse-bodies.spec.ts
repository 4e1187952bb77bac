import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { E2E_METRICS_TOKEN } from './metrics-token';

/**
 * 1 MB and 50 MB bodies to every route handler under app/api (every method it exports, and POST)
 * and to the server actions of the pages that have them, signed out and signed in as an admin:
 * each is answered, quickly, never with a 5xx, and the server's resident memory stays flat. Once
 * with the size declared in Content-Length, once chunked (Transfer-Encoding: chunked, no length),
 * where the server learns the size only by reading.
 */

const MB = 1024 * 1024;
/** A small body first, so every route is loaded before memory is measured. */
const SIZES = [1024, 1 * MB, 50 * MB];
const API_DIR = path.join(import.meta.dirname, '..', 'app', 'api');
const params: Record<string, string> = { appId: 'acme-storefront', version: '1' };

/** Every route file as a URL path and the methods it exports. */
function routes(): { path: string; methods: string[] }[] {
  return readdirSync(API_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'route.ts')
    .map((f) => {
      const source = readFileSync(path.join(API_DIR, f), 'utf8');
      const methods = [
        ...source.matchAll(
          /export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g,
        ),
      ].map((m) => m[1]!);
      const segments = path
        .dirname(f)
        .split(path.sep)
        .filter((s) => s !== '.')
        .map((s) => params[/^\[(\w+)\]$/.exec(s)?.[1] ?? ''] ?? s);
      return { path: `/api/${segments.join('/')}`, methods };
    });
}

interface Answer {
  /** 0: no answer, the connection failed first (`error` says how). */
  status: number;
  ms: number;
  error?: string;
}

/** How the body's size reaches the server: declared up front, or only by its end. */
type Framing = 'content-length' | 'chunked';

/**
 * Sends `size` bytes in 64 KB chunks (never held whole) and resolves with the first answer;
 * the server may close the connection before the upload ends, which is how a refusal looks.
 * Chunked is asked for by name: Node's client frames a GET's or DELETE's body not at all otherwise.
 */
function send(
  url: string,
  method: string,
  size: number,
  headers: Record<string, string>,
  framing: Framing,
): Promise<Answer> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(url, {
      method,
      headers: {
        ...(framing === 'chunked'
          ? { 'transfer-encoding': 'chunked' }
          : { 'content-length': String(size) }),
        ...headers,
      },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      resolve({ status: res.statusCode ?? 0, ms: performance.now() - started });
      res.resume();
      req.destroy();
    });
    req.on('error', (error) => {
      if (!answered) resolve({ status: 0, ms: performance.now() - started, error: error.message });
    });
    let sent = 0;
    const pump = () => {
      while (sent < size && !answered && !req.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      if (sent >= size) req.end();
    };
    pump();
    setTimeout(() => {
      if (!answered) resolve({ status: 0, ms: 30_000, error: 'no answer within 30 s' });
      req.destroy();
    }, 30_000);
  });
}

/**
 * The server's resident memory, the lowest of three readings 300 ms apart: the socket buffers of
 * the refusals just sent are released within moments, and they are not what is being measured.
 */
async function residentBytes(baseURL: string): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 300));
    const response = await fetch(`${baseURL}/api/metrics`, {
      headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const line = (await response.text()).match(/^process_resident_memory_bytes (\d+)/m);
    readings.push(Number(line?.[1]));
  }
  return Math.min(...readings);
}

/** The server action ids a page renders into its forms (what a browser posts with Next-Action). */
async function actionIds(page: Page, paths: string[]): Promise<string[]> {
  const ids = new Set<string>();
  for (const p of paths) {
    const html = await (await page.request.get(p)).text();
    for (const m of html.matchAll(/\$ACTION_ID_([0-9a-f]{40,})/g)) ids.add(m[1]!);
    for (const m of html.matchAll(/\\?"id\\?":\\?"([0-9a-f]{40,})\\?"/g)) ids.add(m[1]!);
  }
  return [...ids];
}

for (const framing of ['content-length', 'chunked'] as const) {
  test(`1 MB and 50 MB bodies (${framing}) to every route and action are refused fast, never a 5xx, memory flat`, async ({
    adminPage,
    baseURL,
  }) => {
    test.setTimeout(600_000);
    const base = baseURL!;
    const cookie = (await adminPage.context().cookies())
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const signedIn = { cookie, origin: base };
    const list = routes();
    expect(list.length).toBeGreaterThanOrEqual(17);
    const actions = await actionIds(adminPage, ['/sign-in', '/apps/acme-storefront', '/tokens']);
    expect(actions.length).toBeGreaterThan(0);
    // Next reads the body before it looks the action up: an id nobody rendered gets the same.
    actions.push('0'.repeat(42));

    const answers: ({ what: string } & Answer)[] = [];
    let small: typeof answers = [];
    const rss: number[] = [];
    for (const size of SIZES) {
      if (size === 1 * MB) small = answers.splice(0);
      for (const route of list) {
        for (const method of new Set([...route.methods, 'POST'])) {
          for (const [who, headers] of [
            ['anonymous', {}],
            ['admin', signedIn],
          ] as const) {
            const answer = await send(
              `${base}${route.path}`,
              method,
              size,
              { 'content-type': 'application/json', ...headers },
              framing,
            );
            answers.push({ what: `${method} ${route.path} ${size / MB} MB ${who}`, ...answer });
          }
        }
      }
      for (const id of actions) {
        const answer = await send(
          `${base}/apps/acme-storefront`,
          'POST',
          size,
          {
            'content-type': 'text/plain;charset=UTF-8',
            'next-action': id,
            accept: 'text/x-component',
            ...signedIn,
          },
          framing,
        );
        answers.push({ what: `action ${id.slice(0, 8)}… ${size / MB} MB`, ...answer });
      }
      rss.push(await residentBytes(base));
    }
    const [before = 0, afterOne = 0, after = 0] = rss;

    const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a));
    const statuses = [...new Set(answers.map((a) => a.status))].sort();
    console.log(
      `${answers.length} oversized ${framing} requests: statuses ${statuses.join(', ')}; slowest ` +
        `${slowest.what} ${slowest.ms.toFixed(0)} ms; server RSS ${(before / MB).toFixed(0)} MB ` +
        `after small bodies, ${(afterOne / MB).toFixed(0)} MB after 1 MB ones, ` +
        `${(after / MB).toFixed(0)} MB after 50 MB ones`,
    );
    expect(answers.filter((a) => a.status >= 500 || a.status === 0)).toEqual([]);
    // Every route that reads a body refuses it as too large, signed in or not.
    const bodyRoutes =
      /^(PUT \/api\/apps\/[^/]+\/config|POST \/api\/apps\/[^/]+\/rollback) .* admin$/;
    for (const a of answers.filter((x) => bodyRoutes.test(x.what)))
      expect(a, a.what).toMatchObject({ status: 413 });
    for (const a of answers.filter((x) => x.what.startsWith('action')))
      expect(a, a.what).toMatchObject({ status: 413 });
    // A small body is taken whatever its framing: only size is refused.
    expect(small.filter((a) => a.status === 413)).toEqual([]);
    expect(slowest.ms).toBeLessThan(10_000);
    // Reading even one 50 MB body would add at least that much (resident memory does not shrink
    // back at once); a round of refusals adds between a few MB and 30 MB (allocator and socket
    // buffers; 29.5 MB seen once against a bound of 25).
    expect(after - afterOne).toBeLessThan(40 * MB);
    expect(after - before).toBeLessThan(64 * MB);
  });
}
