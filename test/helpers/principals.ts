import { userPrincipal, type Principal } from '@/lib/auth/principal';
import type { Role } from '@/lib/auth/roles';

/**
 * A signed-in person with `role` in `tenantId` (null: the vendor's staff), without a stored
 * user: for calling actions and reads directly. `tag` (a run id) keeps ids apart across runs.
 */
export function testPrincipal(role: Role, tenantId: string | null, tag?: string): Principal {
  const id = tag ? `${role}-${tag}` : role;
  return userPrincipal({ _id: `u-${id}`, name: id, email: `${id}@example.test`, role, tenantId });
}
