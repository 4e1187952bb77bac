import http from 'node:http';
import { TOKEN_HEADER, type FaultRequest, type FaultResult } from '../control';

/** What the control server answers with; each handler may throw (answered as 400). */
export interface ControlHandlers {
  token: string;
  status(): Promise<unknown>;
  fault(request: FaultRequest): Promise<FaultResult>;
  shutdown(): void;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/**
 * The supervisor's HTTP control server (status, faults, shutdown), for `stack.ts` in other
 * processes. A request without the token the state file records is refused.
 */
export function createControlServer(handlers: ControlHandlers): http.Server {
  return http.createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers[TOKEN_HEADER] !== handlers.token)
      return reply(403, { error: 'bad or missing token' });
    const handle = async (): Promise<void> => {
      if (req.method === 'GET' && req.url === '/status') return reply(200, await handlers.status());
      if (req.method === 'POST' && req.url === '/fault') {
        return reply(200, await handlers.fault(JSON.parse(await readBody(req)) as FaultRequest));
      }
      if (req.method === 'POST' && req.url === '/shutdown') {
        reply(202, { message: 'stopping' });
        handlers.shutdown();
        return;
      }
      reply(404, { error: `no route ${req.method} ${req.url}` });
    };
    handle().catch((error: Error) => reply(400, { error: error.message }));
  });
}
