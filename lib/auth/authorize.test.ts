import { describe, expect, it } from 'vitest';
import { canSeeTenant, tenantScope } from './authorize';
import { userPrincipal } from './principal';
import type { Role } from './roles';

const person = (role: Role, tenantId: string | null) =>
  userPrincipal({ _id: `u-${role}`, name: role, email: `${role}@example.test`, role, tenantId });

describe('tenant scope', () => {
  it('limits a customer to their tenant and lets the vendor staff read every tenant', () => {
    expect(tenantScope(person('admin', 'acme'))).toEqual({ tenantId: 'acme' });
    expect(tenantScope(person('viewer', 'acme'))).toEqual({ tenantId: 'acme' });
    expect(tenantScope(person('support', null))).toEqual({});
    expect(tenantScope(person('operator', null))).toEqual({});
  });

  // A customer's account without a tenant is a data error: it must see nothing, never everything.
  it.each(['admin', 'viewer'] as const)('refuses a %s with no tenant', (role) => {
    const broken = person(role, null);
    expect(() => tenantScope(broken)).toThrow();
    expect(canSeeTenant(broken, 'acme')).toBe(false);
  });
});
