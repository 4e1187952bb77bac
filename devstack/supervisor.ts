/**
 * Runs detached (`node --import tsx devstack/supervisor.ts <dir>`) and owns everything of one stack
 * (supervisor/stack-supervisor.ts) and a control HTTP server for faults and status
 * (supervisor/control-server.ts). Nothing happens on import: `main` runs when this file is the
 * entry point.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { files, readJson, removeRunFiles, type StackConfig } from './state';
import { createControlServer } from './supervisor/control-server';
import { StackSupervisor } from './supervisor/stack-supervisor';

const log = (message: string): void => console.log(`${new Date().toISOString()} ${message}`);

export function main(argv: string[]): void {
  if (!argv[0]) {
    console.error('usage: supervisor.ts <stack dir>');
    process.exit(2);
  }
  const dir = path.resolve(argv[0]);
  const config = readJson<StackConfig>(files.config(dir));
  if (!config) {
    console.error(`no readable ${files.config(dir)}`);
    process.exit(2);
  }
  const stack = new StackSupervisor(dir, config, log);
  const { state } = stack;

  let shuttingDown = false;
  const shutdown = async (reason: string, code = 0): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`stopping (${reason})`);
    if (state.phase !== 'failed') state.phase = 'stopping';
    stack.save();
    await stack.stopAll();
    control.close();
    // A failed start keeps state.json so `up` can report why; a clean stop leaves no run files.
    if (code === 0) removeRunFiles(dir);
    log('stopped');
    process.exit(code);
  };
  const fail = (reason: string, error: Error, detail: string): void => {
    log(`${reason}: ${detail}`);
    state.phase = 'failed';
    state.error = error.message;
    void shutdown(reason, 1);
  };

  const control = createControlServer({
    token: state.token,
    status: () => stack.status(),
    fault: (request) => stack.fault(request),
    shutdown: () => void shutdown('shutdown requested'),
  });

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('uncaughtException', (error) =>
    fail('uncaught exception', error, error.stack ?? error.message),
  );

  control.listen({ port: 0, host: '127.0.0.1' }, () => {
    const address = control.address();
    if (address && typeof address !== 'string') state.controlPort = address.port;
    stack.save();
    log(`supervisor pid ${process.pid}, control :${state.controlPort}, dir ${dir}`);
    stack
      .start()
      .catch((error: Error) => fail('start failed', error, error.stack ?? error.message));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
