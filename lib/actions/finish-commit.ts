import 'server-only';
import { summarizeDiff, type ConfigChange } from '@/lib/config-diff';
import type { Principal } from '@/lib/auth/principal';
import { actorOf, recordAudit, type AuditAction } from '@/lib/db/audit';
import type { ConfigVersionDoc } from '@/lib/db/collections';
import { pushVersion } from '@/lib/propagation/push-version';
import type { RequestMeta } from '@/lib/request-meta';

/**
 * After a version is committed: push it to the primary cache and write the audit entry. The
 * commit already succeeded, so neither may turn the save into a failure: a failed push stays in
 * the outbox for the worker, and a failed audit write is logged.
 */
export async function finishCommit({
  doc,
  principal,
  meta,
  audit,
}: {
  doc: ConfigVersionDoc;
  principal: Principal;
  meta: RequestMeta;
  audit: {
    action: AuditAction;
    changes: ConfigChange[];
    summary?: string;
    details?: Record<string, unknown>;
  };
}): Promise<boolean> {
  const [push] = await Promise.all([
    pushVersion(doc),
    recordAudit({
      action: audit.action,
      actor: actorOf(principal),
      tenantId: doc.tenantId,
      appId: doc.appId,
      summary: `v${doc.version}: ${audit.summary ?? summarizeDiff(audit.changes)}`,
      details: { version: doc.version, changes: audit.changes.length, ...audit.details },
      meta,
    }).catch((error: unknown) => {
      console.error(
        `[audit] could not record ${audit.action} for ${doc.appId} v${doc.version}`,
        error,
      );
    }),
  ]);
  return push.pushed;
}
