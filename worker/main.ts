/**
 * `npm run worker`: push retries, head re-pushes, arrival measurement, materialised-field
 * repairs. The logic lives in lib/worker; this only starts it and shuts it down cleanly.
 * Run with `--conditions=react-server` so the server-only modules resolve.
 */
import { closeMongo } from '@/lib/db/mongo';
import { closeRedis } from '@/lib/redis/clients';
import { startWorker } from '@/lib/worker/run-worker';

const worker = await startWorker();

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[worker] ${signal}: stopping`);
  // A stuck connection must not keep the process alive for ever.
  setTimeout(() => process.exit(1), 10_000).unref();
  await worker.stop();
  await Promise.allSettled([closeRedis({ subscribers: true }), closeMongo()]);
  console.log('[worker] stopped');
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
