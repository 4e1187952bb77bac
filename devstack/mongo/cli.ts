import { parseArgs } from 'node:util';
import { DEVSTACK_REPLICA_SET } from './replica-set.js';
import { start } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    'db-path': { type: 'string' },
    'replica-set': { type: 'string', default: DEVSTACK_REPLICA_SET },
    standalone: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port ${values.port}\n`);
  process.exit(2);
}

const server = await start({
  port,
  host: values.host,
  dbPath: values['db-path'],
  replicaSet: values.standalone ? false : values['replica-set'],
});
process.stdout.write(`listening ${server.uri}\n`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  // stop() closes the journal with an fsync, so every acknowledged write is on disk.
  server.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`error while stopping: ${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
