import 'server-only';
import type { z } from 'zod';
import type { Principal } from '@/lib/auth/principal';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { getVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { NotFoundError } from '@/lib/errors';
import { formInvalid, type ActionResult } from '@/lib/results';
import type { AppConfig } from '@/lib/schemas/config';
import { isStrongSecret } from '@/lib/schemas/secret-strength';
import type { RollbackSecrets, rollbackConfigSchema } from '@/lib/schemas/versions';
import { secretAt, secretsRolledBack, withSecretsFrom, type SecretRollback } from '@/lib/secrets';
import {
  commitNextVersion,
  type CommittedVersion,
  type VersionRequest,
} from '@/lib/versions/commit-next-version';
import type { ConfigConflict } from '@/lib/versions/conflict';

/** What a rollback did with secrets, by path only: which kept the current value, which came back. */
export interface RolledBackSecrets {
  choice: RollbackSecrets;
  kept: string[];
  restored: string[];
}

export type RolledBack = CommittedVersion & { toVersion: number; secrets: RolledBackSecrets };
export type RollbackConfigResult = ActionResult<RolledBack, ConfigConflict>;

/** What the review shows before a rollback: the secrets it would change, by name. */
export interface RollbackReview {
  appId: string;
  toVersion: number;
  headVersion: number;
  secrets: SecretRollback[];
}

export async function reviewRollback(
  principal: Principal,
  { appId, toVersion }: { appId: string; toVersion: number },
): Promise<RollbackReview> {
  const app = await getAppForPrincipalOrThrow(principal, appId);
  const [target, head] = await Promise.all([getVersion(app._id, toVersion), readHead(app._id)]);
  if (!target) throw new NotFoundError(`Version ${toVersion} of this app does not exist.`);
  return {
    appId: app._id,
    toVersion,
    headVersion: head?.version ?? 0,
    secrets: secretsRolledBack(target.data, head?.data ?? null),
  };
}

/**
 * The rolled-back data and what happened to each secret. Keeping puts the head's value back on
 * every secret that changed since; a secret the head does not hold has nothing to keep and comes
 * back either way (the review lists it as "returns"). A rollback never writes a weak secret the
 * head does not already hold.
 */
function rolledBackData(
  target: AppConfig,
  head: AppConfig | null,
  choice: RollbackSecrets,
): { data: AppConfig; secrets: RolledBackSecrets } | { weak: SecretRollback } {
  const changed = secretsRolledBack(target, head);
  const data = choice === 'keep' && head ? withSecretsFrom(target, head) : target;
  const restored = changed.filter((s) => s.kind === 'returns' || choice === 'restore');
  const weak = restored.find((s) => !isStrongSecret(secretAt(data, s.path) ?? ''));
  if (weak) return { weak };
  return {
    data,
    secrets: {
      choice,
      kept: changed.filter((s) => !restored.includes(s)).map((s) => s.path),
      restored: restored.map((s) => s.path),
    },
  };
}

const weakMessage = (toVersion: number, { label, kind }: SecretRollback) =>
  kind === 'returns'
    ? `v${toVersion} can’t be restored: its ${label} is too weak to bring back (it was stored before secrets had to be strong). Edit the configuration instead.`
    : `v${toVersion}’s ${label} is too weak to restore (it was stored before secrets had to be strong). Keep the current secrets instead.`;

/**
 * History is append-only: a rollback is a new version whose data equals an older one. Like a
 * save it must start from the current head, so two admins cannot undo each other unknowingly.
 * Secrets rotated since the older version stay rotated unless the caller chose `restore`.
 */
export async function rollBackToVersion(
  request: VersionRequest<z.output<typeof rollbackConfigSchema>>,
): Promise<RollbackConfigResult> {
  const { toVersion, note, secrets: choice } = request.input;
  let secrets: RolledBackSecrets = { choice, kept: [], restored: [] };
  const result = await commitNextVersion({
    ...request,
    propose: async (app) => {
      const target = await getVersion(app._id, toVersion);
      if (!target) throw new NotFoundError(`Version ${toVersion} of this app does not exist.`);
      return {
        yours: target.data,
        resolve: (head) => {
          const outcome = rolledBackData(target.data, head, choice);
          if ('weak' in outcome) return formInvalid(weakMessage(toVersion, outcome.weak));
          secrets = outcome.secrets;
          return { data: outcome.data, audit: { secrets } };
        },
        sameAsHead: (v) =>
          secrets.kept.length > 0
            ? `v${toVersion} differs from the current version (v${v}) only in secrets you chose to keep; there is nothing to roll back.`
            : `v${toVersion} is identical to the current version (v${v}); there is nothing to roll back.`,
        message: note ? `Rolled back to v${toVersion}: ${note}` : `Rolled back to v${toVersion}`,
        rollbackOf: toVersion,
        audit: {
          action: 'config.rolled_back',
          summary: (changes) =>
            `rolled back to v${toVersion} (${changes.length} change${changes.length === 1 ? '' : 's'}; ${secretsSummary(secrets)})`,
          details: { rollbackOf: toVersion },
        },
        done: (version) =>
          `Rolled back to v${toVersion} as v${version}; ${secretsSummary(secrets)}`,
      };
    },
  });
  return result.status === 'ok'
    ? { ...result, data: { ...result.data, toVersion, secrets } }
    : result;
}

function secretsSummary({ choice, kept, restored }: RolledBackSecrets): string {
  const n = (count: number) => `${count} secret${count === 1 ? '' : 's'}`;
  if (kept.length === 0 && restored.length === 0) return 'no secret changed';
  const parts = [
    kept.length > 0 && `kept the current value of ${n(kept.length)}`,
    restored.length > 0 &&
      `${choice === 'restore' ? 'restored' : 'brought back'} ${n(restored.length)}`,
  ].filter(Boolean);
  return parts.join(', ');
}
