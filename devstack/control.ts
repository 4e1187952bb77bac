import http from 'node:http';
import type { StackState } from './state';

/** The fault commands the supervisor's control server accepts. */
export type FaultAction = 'latency' | 'partition' | 'heal' | 'kill' | 'revive';
export const FAULT_ACTIONS: readonly FaultAction[] = [
  'latency',
  'partition',
  'heal',
  'kill',
  'revive',
];

export interface FaultRequest {
  region: string;
  action: FaultAction;
  ms?: number;
}

export interface FaultResult {
  region: string;
  action: FaultAction;
  message: string;
}

export const TOKEN_HEADER = 'x-devstack-token';

/** One JSON request to a stack's supervisor; rejects with the server's error message on non-2xx. */
export function controlRequest<T>(
  state: Pick<StackState, 'controlPort' | 'token'>,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!state.controlPort) return reject(new Error('the supervisor has no control port yet'));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port: state.controlPort,
        method,
        path: route,
        timeout: timeoutMs,
        headers: {
          [TOKEN_HEADER]: state.token,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          if ((res.statusCode ?? 500) >= 300) {
            const message =
              typeof parsed === 'object' && parsed && 'error' in parsed
                ? String(parsed.error)
                : text;
            reject(new Error(message || `control server answered ${res.statusCode}`));
          } else {
            resolve(parsed as T);
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`control server :${state.controlPort} ${route} timed out`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}
