import 'server-only';
import { randomBytes } from 'node:crypto';
import { generateToken } from '@/lib/auth/api-token';
import type { TokenScope } from '@/lib/auth/principal';
import type { Filter } from 'mongodb';
import { authChanged } from '@/lib/db/auth-changes';
import { collections, ensureIndexes, type ApiTokenDoc, type Author } from '@/lib/db/collections';
import { parseTokenCursor, tokenCursor } from '@/lib/schemas/api-token';
import { NotFoundError } from '@/lib/errors';

/** A token as lists show it: everything but the hash. */
export type ApiTokenSummary = Omit<ApiTokenDoc, 'hash'>;

const LAST_USED_RESOLUTION_MS = 60_000;

const withoutHash = { projection: { hash: 0 } } as const;

export function findActiveTokenByHash(hash: string): Promise<ApiTokenDoc | null> {
  // Concurrent requests with one token share one read (and one last-used write): a burst from a
  // pipeline costs one query, not one per request. Nothing is kept once the read has answered,
  // so a revocation counts from the next request on.
  let lookup = tokenLookups.get(hash);
  if (!lookup) {
    lookup = readActiveToken(hash).finally(() => tokenLookups.delete(hash));
    tokenLookups.set(hash, lookup);
  }
  return lookup;
}

const tokenLookups = new Map<string, Promise<ApiTokenDoc | null>>();

async function readActiveToken(hash: string): Promise<ApiTokenDoc | null> {
  const c = await collections();
  const token = await c.apiTokens.findOne({ hash, revokedAt: null });
  if (token) noteTokenUse(token._id, token.lastUsedAt?.getTime() ?? null);
  return token;
}

/**
 * Last-used is informational and shown in minutes: a write per minute is enough, not one per
 * request (a pipeline polling status would otherwise write on every poll). Not awaited. Returns
 * the last-used time as it now stands.
 */
export function noteTokenUse(tokenId: string, lastUsedAt: number | null): number {
  const now = Date.now();
  if (lastUsedAt !== null && now - lastUsedAt <= LAST_USED_RESOLUTION_MS) return lastUsedAt;
  void collections()
    .then((c) => c.apiTokens.updateOne({ _id: tokenId }, { $set: { lastUsedAt: new Date(now) } }))
    .catch(() => {});
  return now;
}

/**
 * Creates a token for a tenant. The secret is returned here and nowhere else: only its sha256
 * is stored, so it can never be shown again.
 */
export async function createApiToken(input: {
  tenantId: string;
  name: string;
  scope: TokenScope;
  createdBy: Author;
}): Promise<{ token: ApiTokenSummary; secret: string }> {
  await ensureIndexes();
  const c = await collections();
  const { token: secret, hash, prefix } = generateToken();
  const doc: ApiTokenDoc = {
    _id: `tok_${randomBytes(12).toString('hex')}`,
    tenantId: input.tenantId,
    name: input.name,
    scope: input.scope,
    hash,
    prefix,
    createdBy: input.createdBy,
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await c.apiTokens.insertOne(doc);
  const { hash: _hash, ...token } = doc;
  return { token, secret };
}

export interface ApiTokenPage {
  tokens: ApiTokenSummary[];
  /** Where the next (older) page starts, or null on the last page. */
  next: string | null;
  /** Live tokens of the tenant, all pages together. */
  active: number;
}

/**
 * One page of a tenant's tokens, newest first, revoked ones included (they stay listed so people
 * can see what was cut off). Pages continue after the last token's `(createdAt, _id)`, so every
 * live token, however old, can be reached and revoked.
 */
export async function listApiTokensPage({
  tenantId,
  after,
  limit,
}: {
  tenantId: string;
  after?: string;
  limit: number;
}): Promise<ApiTokenPage> {
  const c = await collections();
  const filter: Filter<ApiTokenDoc> = { tenantId };
  if (after) {
    const { createdAt, id } = parseTokenCursor(after);
    filter.$or = [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: id } }];
  }
  const [found, active] = await Promise.all([
    c.apiTokens
      .find(filter, withoutHash)
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray(),
    c.apiTokens.countDocuments({ tenantId, revokedAt: null }),
  ]);
  const tokens = found.slice(0, limit);
  const last = tokens.at(-1);
  return { tokens, next: found.length > limit && last ? tokenCursor(last) : null, active };
}

/**
 * Revokes a token of the tenant; the next request that presents it is refused. A token of another
 * tenant is "not found", like an unknown one. Revoking twice is harmless and keeps the first time.
 */
export async function revokeApiToken({
  tenantId,
  tokenId,
}: {
  tenantId: string;
  tokenId: string;
}): Promise<{ token: ApiTokenSummary; alreadyRevoked: boolean }> {
  const c = await collections();
  const revoked = await c.apiTokens.findOneAndUpdate(
    { _id: tokenId, tenantId, revokedAt: null },
    { $set: { revokedAt: new Date() } },
    { returnDocument: 'after', ...withoutHash },
  );
  if (revoked) {
    await authChanged({ kind: 'token', id: tokenId });
    return { token: revoked, alreadyRevoked: false };
  }
  const existing = await c.apiTokens.findOne({ _id: tokenId, tenantId }, withoutHash);
  if (!existing) throw new NotFoundError('API token not found.');
  return { token: existing, alreadyRevoked: true };
}
