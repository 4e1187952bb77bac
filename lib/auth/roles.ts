/**
 * Who may do what: the one table the UI, the actions and the routes all consult.
 * Tenant scoping is separate: admins and viewers only ever see their own tenant.
 */
export const roles = ['admin', 'viewer', 'support', 'operator'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'config:read',
  'config:edit',
  'propagation:read',
  'push:retry',
  'push:force',
  'fleet:read',
  'audit:read',
  'tokens:manage',
  'deployments:read',
  'migration:run',
  'apps:manage',
  'users:read',
  'users:manage',
  'account:manage',
  'webhooks:manage',
] as const;
export type Permission = (typeof permissions)[number];

const grants: Record<Role, readonly Permission[]> = {
  admin: [
    'config:read',
    'config:edit',
    'propagation:read',
    'audit:read',
    'tokens:manage',
    'apps:manage',
    'users:read',
    'users:manage',
    'account:manage',
    'webhooks:manage',
  ],
  viewer: ['config:read', 'propagation:read', 'account:manage'],
  // Support looks across tenants and may unstick a push, but never edits configuration.
  support: [
    'config:read',
    'propagation:read',
    'push:retry',
    'push:force',
    'fleet:read',
    'audit:read',
    'deployments:read',
    'users:read',
    'account:manage',
  ],
  // The vendor's platform team: moves the cache between deployments; never edits configuration.
  operator: [
    'config:read',
    'propagation:read',
    'push:force',
    'fleet:read',
    'audit:read',
    'deployments:read',
    'migration:run',
    'account:manage',
  ],
};

export function roleCan(role: Role, permission: Permission): boolean {
  return grants[role].includes(permission);
}

/** Whether a role is bound to one tenant (customers' roles; the vendor's staff see every tenant). */
export function isTenantScoped(role: Role): boolean {
  return role === 'admin' || role === 'viewer';
}

export const roleLabels: Record<Role, string> = {
  admin: 'Admin',
  viewer: 'Viewer',
  support: 'Support',
  operator: 'Operator',
};
