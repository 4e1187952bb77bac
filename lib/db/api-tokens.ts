import 'server-only';
import { collections, type ApiTokenDoc } from '@/lib/db/collections';

export async function findActiveTokenByHash(hash: string): Promise<ApiTokenDoc | null> {
  const c = await collections();
  const token = await c.apiTokens.findOne({ hash, revokedAt: null });
  if (token) {
    // Last-used is informational; a lost update here costs nothing, so it is not awaited.
    void c.apiTokens
      .updateOne({ _id: token._id }, { $set: { lastUsedAt: new Date() } })
      .catch(() => {});
  }
  return token;
}
