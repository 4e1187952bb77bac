import { z } from 'zod';

/** The roles a customer admin hands out (support and operator are the vendor's own). */
export const TENANT_ROLES = ['admin', 'viewer'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export const tenantRoleLabels: Record<TenantRole, string> = { admin: 'Admin', viewer: 'Viewer' };

const role = z.enum(TENANT_ROLES, { error: 'Choose Admin or Viewer' });
const userId = z.string().min(1).max(200);
const email = z
  .string({ error: 'Enter an email address' })
  .trim()
  .toLowerCase()
  .email('Enter an email address, like name@company.com.')
  .max(200);

/**
 * A new password: the same bounds sign-in accepts (at most 200 characters), at least 12 so it
 * is not guessable, and typed twice.
 */
export const newPasswordSchema = z
  .string({ error: 'Choose a password' })
  .min(12, { error: 'Use at least 12 characters' })
  .max(200, { error: 'Use at most 200 characters' });

const samePassword = {
  check: (v: { password: string; confirm: string }) => v.password === v.confirm,
  issue: { error: 'The two passwords are not the same', path: ['confirm'] },
};

export const inviteUserSchema = z.strictObject({ email, role });
export const revokeInvitationSchema = z.strictObject({ invitationId: z.string().min(1).max(64) });
export const changeUserRoleSchema = z.strictObject({ userId, role });
export const setUserDisabledSchema = z.strictObject({
  userId,
  disabled: z.enum(['true', 'false']).transform((v) => v === 'true'),
});

export const acceptInvitationSchema = z
  .strictObject({
    token: z.string().min(1).max(200),
    name: z.string().trim().min(1, { error: 'Enter your name' }).max(100),
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine(samePassword.check, samePassword.issue);

export const changePasswordSchema = z
  .strictObject({
    current: z.string().min(1, { error: 'Enter your current password' }).max(200),
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine(samePassword.check, samePassword.issue);

/** The Users page's search params: everything optional, so a bare /users is the first page. */
export const usersListQuerySchema = z.object({
  q: z.string().trim().max(100).catch('').default(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type UsersListQuery = z.output<typeof usersListQuerySchema>;

export function usersListHref(query: UsersListQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.page > 1) params.set('page', String(query.page));
  const search = params.toString();
  return search ? `/users?${search}` : '/users';
}

/** How long an invitation link works. */
export const INVITATION_TTL_HOURS = 72;
