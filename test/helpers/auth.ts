import { randomBytes } from 'node:crypto';
import { getIronSession, webCookies } from 'iron-session';
import { principalForRequest } from '@/lib/api/define-route';
import { hashPassword } from '@/lib/auth/password';
import type { Principal } from '@/lib/auth/principal';
import type { Role } from '@/lib/auth/roles';
import { sessionOptions, startSession, type SessionData } from '@/lib/session/session';
import { createApiToken } from '@/lib/db/api-tokens';
import type { UserDoc } from '@/lib/db/collections';
import { upsertUser } from '@/lib/db/users';

/**
 * Real credentials for integration tests: users stored in MongoDB with a sealed iron-session
 * cookie exactly as sign-in writes it, and API tokens created through the data layer. Nothing
 * about a principal is faked: tests resolve it the way a request does.
 */

export type Credential =
  { kind: 'cookie'; cookie: string } | { kind: 'bearer'; token: string } | { kind: 'none' };

export const TEST_ORIGIN = 'http://propagate.test';

export function runId(): string {
  return randomBytes(4).toString('hex');
}

let passwordHash: Promise<string> | undefined;

export async function createTestUser(input: {
  id: string;
  role: Role;
  tenantId: string | null;
  email?: string;
  password?: string;
}): Promise<UserDoc> {
  const user: UserDoc = {
    _id: input.id,
    email: input.email ?? `${input.id}@example.test`,
    name: `Test ${input.role} ${input.id}`,
    role: input.role,
    tenantId: input.tenantId,
    // scrypt is deliberately slow: hash the shared test password once.
    passwordHash: input.password
      ? await hashPassword(input.password)
      : await (passwordHash ??= hashPassword('test-password')),
    disabled: false,
    sessionVersion: 1,
    createdAt: new Date(),
  };
  await upsertUser(user);
  return user;
}

/** The `Set-Cookie` header sign-in would send for this user, as written by iron-session. */
export async function sessionSetCookie(
  user: Pick<UserDoc, '_id' | 'sessionVersion'>,
): Promise<string> {
  const headers = new Headers();
  const session = await getIronSession<SessionData>(
    webCookies(new Request(TEST_ORIGIN), headers),
    sessionOptions,
  );
  await startSession(
    session,
    { id: user._id, sessionVersion: user.sessionVersion },
    { ip: null, userAgent: 'test fixture' },
  );
  const setCookie = headers.get('set-cookie');
  if (!setCookie) throw new Error('iron-session wrote no cookie');
  return setCookie;
}

/** The `Cookie` request header a browser holding this session sends. */
export async function sessionCookie(user: Pick<UserDoc, '_id' | 'sessionVersion'>) {
  const setCookie = await sessionSetCookie(user);
  return setCookie.split(';')[0] ?? '';
}

export async function createTestToken(input: {
  tenantId: string;
  scope: 'read' | 'read-write';
  name?: string;
}) {
  return createApiToken({
    tenantId: input.tenantId,
    name: input.name ?? `test ${input.scope}`,
    scope: input.scope,
    createdBy: { userId: 'test', name: 'Test', email: 'test@example.test' },
  });
}

export function credentialHeaders(credential: Credential): Record<string, string> {
  if (credential.kind === 'cookie') return { cookie: credential.cookie };
  if (credential.kind === 'bearer') return { authorization: `Bearer ${credential.token}` };
  return {};
}

/** A request as the credential's holder would send it; `origin` for browser-style POSTs. */
export function requestWith(
  credential: Credential,
  path: string,
  init: { method?: string; body?: unknown; origin?: string } = {},
): Request {
  const headers: Record<string, string> = {
    host: new URL(TEST_ORIGIN).host,
    ...credentialHeaders(credential),
  };
  if (init.origin) headers.origin = init.origin;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return new Request(new URL(path, TEST_ORIGIN), {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** The principal a request with this credential resolves to, through the production path. */
export async function principalOf(credential: Credential): Promise<Principal | null> {
  return principalForRequest(requestWith(credential, '/'));
}
