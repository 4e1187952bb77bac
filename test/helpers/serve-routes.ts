import { startRouteServer } from './route-server';

/**
 * The route server in a process of its own (`node --conditions=react-server --import tsx`), so a
 * load test measures the server's event loop, not the one that makes the load. Prints its URL as
 * the first line of stdout; stops on SIGTERM.
 */
const server = await startRouteServer();
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
