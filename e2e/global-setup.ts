import type { FullConfig } from '@playwright/test';
import { smokeOnly } from './smoke/target';

/**
 * The guard: e2e suites sign in with demo passwords, save configuration and inject faults, so
 * they refuse to run against anything but a local server backed by the devstack.
 */
export default async function globalSetup(config: FullConfig): Promise<void> {
  // The smoke project alone never writes (its fixtures block writes), so it may run anywhere.
  if (smokeOnly()) return;
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) throw new Error('e2e: no baseURL configured');
  const { hostname } = new URL(baseURL);
  if (!['127.0.0.1', 'localhost', '::1'].includes(hostname)) {
    throw new Error(
      `e2e refuses to run against ${hostname}: only a local devstack server is allowed`,
    );
  }
  const health = (await (await fetch(`${baseURL}/api/health`)).json()) as { devstack?: boolean };
  if (!health.devstack) {
    throw new Error(
      `e2e refuses to run: ${baseURL} is not backed by a devstack (PROPAGATE_DEVSTACK_DIR unset)`,
    );
  }
}
