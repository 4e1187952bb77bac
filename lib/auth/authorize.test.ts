import { describe, expect, it } from 'vitest';
import { canSeeTenant, tenantScope } from './authorize';
import { testPrincipal } from '@/test/helpers/principals';

describe('tenant scope', () => {
  it('limits a customer to their tenant and lets the vendor staff read every tenant', () => {
    expect(tenantScope(testPrincipal('admin', 'acme'))).toEqual({ tenantId: 'acme' });
    expect(tenantScope(testPrincipal('viewer', 'acme'))).toEqual({ tenantId: 'acme' });
    expect(tenantScope(testPrincipal('support', null))).toEqual({});
    expect(tenantScope(testPrincipal('operator', null))).toEqual({});
  });

  // A customer's account without a tenant is a data error: it must see nothing, never everything.
  it.each(['admin', 'viewer'] as const)('refuses a %s with no tenant', (role) => {
    const broken = testPrincipal(role, null);
    expect(() => tenantScope(broken)).toThrow();
    expect(canSeeTenant(broken, 'acme')).toBe(false);
  });
});
