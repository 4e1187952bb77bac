import type { Permission, Role } from '@/lib/auth/roles';

/**
 * Who may do what, written out by permission (not read from the roles table under test): a
 * change to a grant must change this table too. The role tests and the isolation matrix both
 * check the code against it.
 */
export const expectedHolders: Record<Permission, Role[]> = {
  'config:read': ['admin', 'viewer', 'support', 'operator'],
  'config:edit': ['admin'],
  'propagation:read': ['admin', 'viewer', 'support', 'operator'],
  'push:retry': ['support'],
  'push:force': ['support', 'operator'],
  'fleet:read': ['support', 'operator'],
  'audit:read': ['admin', 'support', 'operator'],
  'deployments:read': ['support', 'operator'],
  'migration:run': ['operator'],
  'tokens:manage': ['admin'],
  'apps:manage': ['admin'],
  'users:read': ['admin', 'support'],
  'users:manage': ['admin'],
  'account:manage': ['admin', 'viewer', 'support', 'operator'],
  'webhooks:manage': ['admin'],
};

/** The permissions the table above gives `role`. */
export function expectedGrants(role: Role): Permission[] {
  return (Object.keys(expectedHolders) as Permission[]).filter((p) =>
    expectedHolders[p].includes(role),
  );
}
