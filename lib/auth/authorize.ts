import { can, type Principal } from '@/lib/auth/principal';
import { isTenantScoped, type Permission } from '@/lib/auth/roles';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '@/lib/errors';

export function requireSignedIn(principal: Principal | null): Principal {
  if (!principal) throw new UnauthenticatedError();
  return principal;
}

export function requirePermission(principal: Principal | null, permission: Permission): Principal {
  const p = requireSignedIn(principal);
  if (!can(p, permission)) throw new ForbiddenError();
  return p;
}

/** Whether the principal may see records of this tenant. */
export function canSeeTenant(principal: Principal, tenantId: string): boolean {
  return principal.tenantId === null
    ? !isTenantScoped(principal.role)
    : principal.tenantId === tenantId;
}

/** Another tenant's record is "not found", never "forbidden": ids must not be probeable. */
export function assertTenant(principal: Principal, tenantId: string, what = 'App'): void {
  if (!canSeeTenant(principal, tenantId)) throw new NotFoundError(`${what} not found.`);
}

/**
 * The caller's own tenant, for records that belong to exactly one (API tokens). Support staff
 * read across tenants but own none, so they are refused.
 */
export function requireOwnTenant(principal: Principal): string {
  if (principal.tenantId === null) {
    throw new ForbiddenError(
      "This belongs to a customer account; the vendor's staff cannot do it.",
    );
  }
  return principal.tenantId;
}

/**
 * The MongoDB filter that limits a query to what the principal may see. Only the vendor's staff
 * read across tenants; a customer's role without a tenant is a broken record, and it must fail
 * loudly rather than fall through to "every tenant".
 */
export function tenantScope(principal: Principal): { tenantId?: string } {
  if (principal.tenantId !== null) return { tenantId: principal.tenantId };
  if (isTenantScoped(principal.role)) {
    throw new Error(
      `${principal.kind} ${principal.id} has the ${principal.role} role but no tenant`,
    );
  }
  return {};
}
