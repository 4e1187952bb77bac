import { describe, expect, it } from 'vitest';
import { permissions, roleCan, roles, type Permission, type Role } from './roles';

// The whole matrix, written out: a change to a grant must change this table too.
const expected: Record<Role, Permission[]> = {
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

describe('role rules', () => {
  for (const role of roles) {
    for (const permission of permissions) {
      const allowed = expected[role].includes(permission);
      it(`${role} ${allowed ? 'may' : 'may not'} ${permission}`, () => {
        expect(roleCan(role, permission)).toBe(allowed);
      });
    }
  }

  it('only admins edit configuration', () => {
    expect(roles.filter((r) => roleCan(r, 'config:edit'))).toEqual(['admin']);
  });

  it('only operators run migrations; customers never see deployments', () => {
    expect(roles.filter((r) => roleCan(r, 'migration:run'))).toEqual(['operator']);
    expect(roles.filter((r) => roleCan(r, 'deployments:read'))).toEqual(['support', 'operator']);
  });
});
