import { DEMO_REGIONS, down } from '../devstack/stack';
import { DEMO_PASSWORD, DEMO_USERS } from '../lib/seed/demo-users';
import { runProduct } from './run-product';
import { chosenStackDir } from '../devstack/state';

const port = 3000;
const dir = chosenStackDir();
const log = (line: string) => console.log(`[demo] ${line}`);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await product?.stop();
  // down() stops the supervisor (which stops everything it started), then any recorded PID left.
  await down(dir, log);
  log('devstack stopped.');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

let product: Awaited<ReturnType<typeof runProduct>> | undefined;
try {
  product = await runProduct({
    dir,
    port,
    regions: DEMO_REGIONS,
    build: 'always',
    servicesPerRegion: 2,
    migration: process.argv.includes('--migration'),
    log,
  });
} catch (error) {
  console.error(`\nThe demo could not start: ${(error as Error).message}`);
  await stop(1);
}

const width = Math.max(...Object.values(DEMO_USERS).map((u) => u.email.length));
console.log(`
  Propagate is running at http://localhost:${port}

  Demo sign-ins (demo data only; password for all: ${DEMO_PASSWORD})
${Object.values(DEMO_USERS)
  .map(
    (u) =>
      `    ${u.email.padEnd(width)}  ${u.role}${u.tenantId ? ` of ${u.tenantId}` : ', every tenant'}`,
  )
  .join('\n')}

  Regions: us-east-1 (primary), ${DEMO_REGIONS.map((r) => `${r.name} (+${r.delayMs} ms)`).join(', ')}
  Example services (config client, 2 per region):
${(product?.fleet?.instances ?? []).map((i) => `    ${i.region.padEnd(15)} ${i.url}`).join('\n')}

  Inject a fault:  npm run stack -- fault eu-west-1 partition   (then: heal)

  Press Ctrl-C to stop everything.
`);
