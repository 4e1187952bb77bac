import { TEST_REGIONS } from '../devstack/stack';
import { runProduct } from './run-product';
import { chosenStackDir, TEST_STACK_DIR } from '../devstack/state';
import { E2E_METRICS_TOKEN } from '../e2e/metrics-token';
import { testLogEnv } from './stack-env';

// Playwright's webServer: the whole product on the test devstack, stopped when Playwright ends.
const port = Number(process.env.PROPAGATE_E2E_PORT ?? 3100);
const dir = chosenStackDir(TEST_STACK_DIR);

const product = await runProduct({
  dir,
  port,
  regions: TEST_REGIONS,
  build: 'if-missing',
  // A short lag budget so a partitioned region turns "lagging" within an e2e test's time.
  // Webhook retries a second apart, so a refused first attempt is retried within a test.
  extraEnv: {
    LAG_BUDGET_MS: '2000',
    PROPAGATE_METRICS_TOKEN: E2E_METRICS_TOKEN,
    WEBHOOK_RETRY_BASE_MS: '1000',
    ...testLogEnv(),
  },
  log: (line) => console.log(`[e2e-server] ${line}`),
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void product.stop().then(() => process.exit(0));
  });
}
