import { isTenantScoped, permissions, roleCan, type Permission, type Role } from '@/lib/auth/roles';

/** Whoever is calling: a signed-in person or an API token. Every check takes one of these. */
export interface Principal {
  kind: 'user' | 'token';
  id: string;
  name: string;
  email: string | null;
  role: Role;
  /** null only for the vendor's staff (support, operators), who read across tenants. */
  tenantId: string | null;
  permissions: readonly Permission[];
  /** A person's principal from a browser session: that session's id (own-account actions). */
  sessionId?: string;
}

export type TokenScope = 'read' | 'read-write';

const tokenGrants: Record<TokenScope, readonly Permission[]> = {
  read: ['config:read', 'propagation:read'],
  // Automation may save configuration and wait for it, but never manage tokens or read the audit.
  'read-write': ['config:read', 'config:edit', 'propagation:read'],
};

export function userPrincipal(user: {
  _id: string;
  name: string;
  email: string;
  role: Role;
  tenantId: string | null;
}): Principal {
  return {
    kind: 'user',
    id: user._id,
    name: user.name,
    email: user.email,
    role: user.role,
    tenantId: isTenantScoped(user.role) ? user.tenantId : null,
    permissions: permissions.filter((p) => roleCan(user.role, p)),
  };
}

export function tokenPrincipal(token: {
  _id: string;
  name: string;
  tenantId: string;
  scope: TokenScope;
}): Principal {
  return {
    kind: 'token',
    id: token._id,
    name: `API token “${token.name}”`,
    email: null,
    role: token.scope === 'read-write' ? 'admin' : 'viewer',
    tenantId: token.tenantId,
    permissions: tokenGrants[token.scope],
  };
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.includes(permission);
}
