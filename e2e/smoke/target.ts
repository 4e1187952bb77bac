/**
 * Where the read-only smoke suite points. QA sets these for a staging environment; without them
 * it runs against the local e2e server with the demo support account (so `npm run test:e2e`
 * checks the suite itself).
 *
 * - PROPAGATE_SMOKE_URL: the dashboard's address, e.g. https://propagate.staging.example.com
 * - PROPAGATE_SMOKE_EMAIL / PROPAGATE_SMOKE_PASSWORD: a user of that environment (a support
 *   account sees the fleet page too; others see their tenant's apps)
 * - PROPAGATE_SMOKE_APP: optional, the app whose propagation panel is checked (default: the first
 *   app listed)
 */
export function smokeOnly(argv: readonly string[] = process.argv): boolean {
  return argv.some(
    (arg, i) => arg === '--project=smoke' || (arg === '--project' && argv[i + 1] === 'smoke'),
  );
}

export interface SmokeTarget {
  baseURL: string;
  email: string;
  password: string;
  appId: string | undefined;
  /** True when pointed at somebody's environment rather than the local devstack. */
  remote: boolean;
}

export function smokeTarget(localBaseURL: string): SmokeTarget {
  const url = process.env.PROPAGATE_SMOKE_URL;
  if (!url) {
    return {
      baseURL: localBaseURL,
      email: 'support@propagate.test',
      password: 'demo-password',
      appId: process.env.PROPAGATE_SMOKE_APP,
      remote: false,
    };
  }
  const email = process.env.PROPAGATE_SMOKE_EMAIL;
  const password = process.env.PROPAGATE_SMOKE_PASSWORD;
  if (!email || !password) {
    throw new Error(
      'PROPAGATE_SMOKE_URL is set: also set PROPAGATE_SMOKE_EMAIL and PROPAGATE_SMOKE_PASSWORD',
    );
  }
  return {
    baseURL: url.replace(/\/+$/, ''),
    email,
    password,
    appId: process.env.PROPAGATE_SMOKE_APP,
    remote: true,
  };
}
