import 'server-only';
import type { Principal } from '@/lib/auth/principal';
import { checksum } from '@/lib/contract/canonical-json';
import { diffConfigs, summarizeDiff, type ConfigChange } from '@/lib/config-diff';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { actorOf, recordAudit, type AuditAction } from '@/lib/db/audit';
import type { AppDoc, ConfigVersionDoc } from '@/lib/db/collections';
import { authorFromPrincipal, commitVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { errorFields, log } from '@/lib/log';
import { metrics, secondsSince } from '@/lib/metrics';
import { recordCommitEvent } from '@/lib/db/webhook-events';
import { pushVersion, type PushResult } from '@/lib/propagation/push-version';
import type { RequestMeta } from '@/lib/request-meta';
import { formInvalid, type ActionResult, type InvalidResult } from '@/lib/results';
import type { AppConfig, ConfigInput } from '@/lib/schemas/config';
import { conflictResult, type ConfigConflict } from '@/lib/versions/conflict';

/** What a committed save or rollback reports. */
export interface CommittedVersion {
  appId: string;
  version: number;
  /** False when the primary cache did not take it: the worker retries from the outbox. */
  pushed: boolean;
}

/** Who asks for a new version, with input already validated by the caller's schema. */
export interface VersionRequest<I> {
  principal: Principal;
  meta: RequestMeta;
  input: I;
}

/** What save and rollback each decide; everything else about a new version is shared. */
export interface Proposal {
  /** What the caller asked to store; a conflict diffs it against the base (secret markers allowed). */
  yours: ConfigInput;
  /**
   * The data to store on top of the head (a save resolves its secret markers against it), and
   * what the audit entry should add about how it was resolved (a rollback's secrets choice).
   */
  resolve: (
    head: AppConfig | null,
  ) => { data: AppConfig; audit?: Record<string, unknown> } | InvalidResult;
  /** The refusal when the result equals the head. */
  sameAsHead: (headVersion: number) => string;
  message: string;
  rollbackOf?: number;
  /**
   * Archive commits a tombstone (the head's data, `archived`); restore is the one change an
   * archived app accepts. Anything else on an archived app is refused: it is read-only.
   */
  lifecycle?: 'archive' | 'restore';
  audit: {
    action: AuditAction;
    summary?: (changes: ConfigChange[]) => string;
    details?: Record<string, unknown>;
  };
  /** The first words of the success message: "Saved as v5". */
  done: (version: number) => string;
}

/**
 * The one pipeline that turns a request into the app's next version, shared by save and
 * rollback, by the dashboard's actions and by route handlers: load the app (tenant-checked),
 * let the caller propose data, refuse a stale base with what changed meanwhile, refuse a
 * no-op, commit to MongoDB (which decides races), then push and audit. The commit is the
 * point of no return: neither a failed push nor a failed audit write turns it into a failure.
 */
export async function commitNextVersion(
  request: NextVersionRequest,
): Promise<ActionResult<CommittedVersion, ConfigConflict>> {
  const started = performance.now();
  let outcome = 'error';
  try {
    const result = await commitOrRefuse(request);
    outcome = result.status;
    if (result.status === 'ok') {
      const { appId, version, pushed } = result.data;
      log.info({ appId, version, pushed }, 'version committed');
    }
    return result;
  } finally {
    metrics().saveSeconds.observe({ outcome }, secondsSince(started));
  }
}

/** Which app, and the version the person started from. */
type NextVersionRequest = VersionRequest<{ appId: string; baseVersion: number }> & {
  propose: (app: AppDoc) => Proposal | InvalidResult | Promise<Proposal | InvalidResult>;
};

async function commitOrRefuse({
  principal,
  meta,
  input: { appId, baseVersion },
  propose,
}: NextVersionRequest): Promise<ActionResult<CommittedVersion, ConfigConflict>> {
  const app = await getAppForPrincipalOrThrow(principal, appId);
  const proposal = await propose(app);
  if ('status' in proposal) return proposal;
  if (app.archivedAt && proposal.lifecycle !== 'restore') {
    return formInvalid(`${app.name} is archived and read-only. Restore it to change it.`);
  }

  const head = await readHead(app._id);
  if (head && head.version !== baseVersion) {
    return conflictResult({ app, baseVersion, head, yours: proposal.yours });
  }
  const resolved = proposal.resolve(head?.data ?? null);
  if ('status' in resolved) return resolved;
  // A tombstone is never "the same" as a config, and archiving keeps the data on purpose.
  const compares = head && !head.archived && proposal.lifecycle !== 'archive';
  if (compares && checksum(resolved.data) === head.checksum) {
    return { ...formInvalid(proposal.sameAsHead(head.version)), unchanged: true };
  }

  const outcome = await commitVersion({
    app,
    expectedVersion: baseVersion,
    data: resolved.data,
    author: authorFromPrincipal(principal),
    message: proposal.message,
    rollbackOf: proposal.rollbackOf,
    archived: proposal.lifecycle === 'archive',
  });
  if (outcome.status === 'conflict') {
    // Lost the race after the head check: same answer as a stale editor.
    if (!outcome.head) throw new Error(`commitNextVersion: conflict on ${app._id} without a head`);
    return conflictResult({ app, baseVersion, head: outcome.head, yours: proposal.yours });
  }

  const changes = head ? diffConfigs(head.data, outcome.doc.data) : [];
  const push = await pushAndAudit({
    doc: outcome.doc,
    principal,
    meta,
    proposal,
    changes,
    resolvedAudit: resolved.audit,
  });
  const version = outcome.doc.version;
  return {
    status: 'ok',
    data: { appId: app._id, version, pushed: push.pushed },
    message: push.pushed
      ? proposal.done(version)
      : push.diverged
        ? `${proposal.done(version)} — not pushed: the cache already holds a different v${version} (diverged); support can overwrite it`
        : `${proposal.done(version)} — cache push pending; it will be retried automatically`,
  };
}

async function pushAndAudit({
  doc,
  principal,
  meta,
  proposal,
  changes,
  resolvedAudit,
}: {
  doc: ConfigVersionDoc;
  principal: Principal;
  meta: RequestMeta;
  proposal: Proposal;
  changes: ConfigChange[];
  resolvedAudit?: Record<string, unknown>;
}): Promise<PushResult> {
  const { audit } = proposal;
  const [push] = await Promise.all([
    pushVersion(doc),
    recordAudit({
      action: audit.action,
      actor: actorOf(principal),
      tenantId: doc.tenantId,
      appId: doc.appId,
      summary: `v${doc.version}: ${audit.summary?.(changes) ?? summarizeDiff(changes)}`,
      details: {
        version: doc.version,
        changes: changes.length,
        ...audit.details,
        ...resolvedAudit,
      },
      meta,
    }).catch((error: unknown) => {
      log.error(
        { appId: doc.appId, version: doc.version, audit: audit.action, ...errorFields(error) },
        'audit write failed',
      );
    }),
    // Every new config notifies (a restore too); an archive's tombstone is not a config.
    proposal.lifecycle !== 'archive' &&
      // The worker's catch-up produces it later from the version itself.
      recordCommitEvent(doc).catch((error: unknown) => {
        log.error(
          { appId: doc.appId, version: doc.version, ...errorFields(error) },
          'could not record the commit event',
        );
      }),
  ]);
  return push;
}
