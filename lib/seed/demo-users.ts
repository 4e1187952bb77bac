import type { Role } from '@/lib/auth/roles';

/**
 * The demo sign-ins: seeded by `npm run demo` and the test stacks only, printed by the demo and
 * listed in the README as demo-only. Plain data (no server imports) so e2e tests can use it.
 */
export const DEMO_PASSWORD = 'demo-password';

export interface DemoUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
}

export const DEMO_USERS = {
  acmeAdmin: {
    id: 'u-acme-admin',
    email: 'admin@acme.test',
    name: 'Alice Admin',
    role: 'admin',
    tenantId: 'acme',
  },
  acmeViewer: {
    id: 'u-acme-viewer',
    email: 'viewer@acme.test',
    name: 'Victor Viewer',
    role: 'viewer',
    tenantId: 'acme',
  },
  globexAdmin: {
    id: 'u-globex-admin',
    email: 'admin@globex.test',
    name: 'Gina Admin',
    role: 'admin',
    tenantId: 'globex',
  },
  globexViewer: {
    id: 'u-globex-viewer',
    email: 'viewer@globex.test',
    name: 'Gus Viewer',
    role: 'viewer',
    tenantId: 'globex',
  },
  support: {
    id: 'u-support',
    email: 'support@propagate.test',
    name: 'Sam Support',
    role: 'support',
    tenantId: null,
  },
  operator: {
    id: 'u-operator',
    email: 'operator@propagate.test',
    name: 'Olga Operator',
    role: 'operator',
    tenantId: null,
  },
} as const satisfies Record<string, DemoUser>;

export type DemoUserKey = keyof typeof DEMO_USERS;
