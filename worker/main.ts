/**
 * `npm run worker`: push retries, head re-pushes, arrival measurement, materialised-field
 * repairs. The logic lives in lib/worker; this only starts it and shuts it down cleanly.
 * Run with `--conditions=react-server` so the server-only modules resolve.
 */
import { createServer } from 'node:http';
import { metricsResponse } from '@/lib/api/metrics-response';
import { closeMongo } from '@/lib/db/mongo';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { closeRedis } from '@/lib/redis/clients';
import { startWorker } from '@/lib/worker/run-worker';

const workerLog = log.child({ component: 'worker' });

const worker = await startWorker();

// Push retries and arrival times are measured here, so the worker is a scrape target of its own.
const metricsPort = env.PROPAGATE_WORKER_METRICS_PORT;
const metricsServer = metricsPort
  ? createServer((req, res) => {
      const headers = new Headers();
      if (req.headers.authorization) headers.set('authorization', req.headers.authorization);
      const answer =
        req.url === '/metrics'
          ? metricsResponse(new Request('http://worker/metrics', { headers }))
          : Promise.resolve(new Response('Not found\n', { status: 404 }));
      void answer.then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(await response.text());
      });
    }).listen(metricsPort, () => workerLog.info({ port: metricsPort }, 'metrics served'))
  : null;

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  workerLog.info({ signal }, 'stopping');
  // A stuck connection must not keep the process alive for ever.
  setTimeout(() => process.exit(1), 10_000).unref();
  metricsServer?.close();
  await worker.stop();
  await Promise.allSettled([closeRedis({ subscribers: true }), closeMongo()]);
  workerLog.info('stopped');
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
