import { z } from 'zod';
import type { TokenScope } from '@/lib/auth/principal';

/** What an API token may do: read configuration and propagation, or also save configuration. */
export const tokenScopes = ['read', 'read-write'] as const satisfies readonly TokenScope[];

export const tokenScopeLabels: Record<TokenScope, string> = {
  read: 'Read only',
  'read-write': 'Read and write',
};

export const tokenIdSchema = z
  .string({ error: 'Choose a token' })
  .regex(/^tok_[a-f0-9]{24}$/, { error: 'That token does not exist.' });

export const createApiTokenSchema = z.object({
  name: z
    .string({ error: 'Enter a name' })
    .trim()
    .min(1, { error: 'Enter a name, such as “Deploy pipeline”' })
    .max(80, { error: 'Keep the name under 80 characters' })
    // Names are shown in the audit log as `API token “name”`; control characters have no place there.
    .refine((v) => !/\p{Cc}/u.test(v), { error: 'Use letters, digits and punctuation only' }),
  scope: z.enum(tokenScopes, { error: 'Choose what the token may do' }),
});
export type CreateApiTokenInput = z.output<typeof createApiTokenSchema>;

export const revokeApiTokenSchema = z.object({ tokenId: tokenIdSchema });

/** A page of the token list starts after this token: its creation time and id. */
export const tokenCursorSchema = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z~tok_[a-f0-9]{24}$/, {
    error: 'That page link is broken; start again',
  });

export function tokenCursor(token: { createdAt: Date; _id: string }): string {
  return `${token.createdAt.toISOString()}~${token._id}`;
}

export function parseTokenCursor(cursor: string): { createdAt: Date; id: string } {
  const [at = '', id = ''] = cursor.split('~');
  return { createdAt: new Date(at), id };
}
