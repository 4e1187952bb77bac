import { describe, expect, it } from 'vitest';
import { expectedHolders } from '@/test/helpers/expected-grants';
import { permissions, roleCan, roles } from './roles';

describe('role rules', () => {
  for (const role of roles) {
    for (const permission of permissions) {
      const allowed = expectedHolders[permission].includes(role);
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
