import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, refuseAddress, refuseScheme, type UrlPolicy } from '@/lib/webhooks/url-guard';

export interface AttemptResult {
  /** null: no HTTP answer. */
  responseCode: number | null;
  latencyMs: number;
  error: string | null;
  /** A 2xx answer: the receiver took it. */
  ok: boolean;
}

/** Answers are read only this far (the log keeps the status, not the body). */
const MAX_RESPONSE_BYTES = 16 * 1024;

class RefusedAddress extends Error {}

/**
 * Resolves the host at connect time and refuses the connection if any address it resolves to
 * is not allowed: the check and the connection use the same answer, so DNS rebinding between a
 * check and the request cannot slip a private address in.
 */
function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const refused = refuseAddress(address, policy);
        if (refused)
          return callback(new RefusedAddress(`refused: ${hostname} resolves to ${refused}`), '', 0);
      }
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) return callback(null, addresses, 0);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * One delivery attempt: POST the body with its signed headers, within `timeoutMs` for the whole
 * exchange. Never throws; every failure is a result for the log.
 */
export function sendAttempt({
  url: raw,
  body,
  headers,
  policy,
  timeoutMs,
}: {
  url: string;
  body: string;
  headers: Record<string, string>;
  policy: UrlPolicy;
  timeoutMs: number;
}): Promise<AttemptResult> {
  const started = performance.now();
  const done = (responseCode: number | null, error: string | null): AttemptResult => ({
    responseCode,
    latencyMs: Math.round(performance.now() - started),
    error,
    ok: responseCode !== null && responseCode >= 200 && responseCode < 300,
  });
  const url = new URL(raw);
  const refused =
    refuseScheme(url, policy) ?? (isIP(hostOf(url)) ? refuseAddress(hostOf(url), policy) : null);
  if (refused) return Promise.resolve(done(null, `refused: ${refused}`));

  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Propagate-Webhooks/1',
        },
        lookup: guardedLookup(policy),
        // Redirects are not followed: a 3xx is a failed attempt, never a call somewhere else.
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        const finish = () =>
          resolve(done(response.statusCode ?? null, statusError(response.statusCode)));
        response.on('end', finish);
        response.on('close', finish);
        response.on('error', finish);
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => resolve(done(null, error.message.slice(0, 300))));
    request.end(body);
  });
}

function statusError(status: number | undefined): string | null {
  if (status !== undefined && status >= 200 && status < 300) return null;
  return `answered ${status ?? 'nothing'}`;
}
