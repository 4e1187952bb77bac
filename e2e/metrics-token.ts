/**
 * The metrics token of the e2e server (scripts/e2e-server.ts): the abuse spec reads the server's
 * resident memory from `/api/metrics`. Only ever used against the local devstack.
 */
export const E2E_METRICS_TOKEN = 'e2e-devstack-metrics-token-not-a-secret';
