import 'server-only';
import type { z } from 'zod';
import { getVersion } from '@/lib/db/config-versions';
import { formInvalid, type ActionResult } from '@/lib/results';
import type { archiveAppSchema } from '@/lib/schemas/app';
import {
  commitNextVersion,
  type CommittedVersion,
  type VersionRequest,
} from '@/lib/versions/commit-next-version';
import type { ConfigConflict } from '@/lib/versions/conflict';

export type ArchiveResult = ActionResult<CommittedVersion, ConfigConflict>;
type ArchiveRequest = VersionRequest<z.output<typeof archiveAppSchema>>;

/**
 * Archiving and restoring are versions like any save, so MongoDB decides races, the outbox
 * retries the push and every region's cache orders them with the same compare-and-set:
 *
 * - archive commits a **tombstone** (the retired config's data, `archived: true`): the cache
 *   entry loses its body, and config clients stop serving the app and say so;
 * - restore commits the retired config again as the next version, so a client that saw the
 *   tombstone takes the restored config, and a late tombstone can never replace it.
 *
 * Both start from the version the person saw (`baseVersion`). Nothing is deleted: history keeps
 * every version, the tombstone included.
 */
/** The archive and restore forms' fields. */
export function archiveFormInput(formData: FormData): unknown {
  return {
    appId: formData.get('appId'),
    baseVersion: formData.get('baseVersion'),
    reason: formData.get('reason') ?? '',
  };
}

export function archiveApp(request: ArchiveRequest): Promise<ArchiveResult> {
  const { baseVersion, reason } = request.input;
  return commitNextVersion({
    ...request,
    propose: async (app) => {
      if (app.archivedAt) return formInvalid(`${app.name} is already archived.`);
      const base = await getVersion(app._id, baseVersion);
      if (!base)
        return formInvalid('This app has no configuration yet, so there is nothing to archive.');
      return {
        yours: base.data,
        resolve: (head) => (head ? { data: head } : formInvalid('Nothing to archive.')),
        sameAsHead: () => '',
        message: reason ? `Archived: ${reason}` : 'Archived',
        lifecycle: 'archive',
        audit: {
          action: 'app.archived',
          summary: () => `archived “${app.name}”${reason ? `: ${reason}` : ''}`,
        },
        done: (version) =>
          `Archived ${app.name} as v${version}: services stop serving it as the archive reaches each region`,
      };
    },
  });
}

export function restoreApp(request: ArchiveRequest): Promise<ArchiveResult> {
  const { baseVersion, reason } = request.input;
  return commitNextVersion({
    ...request,
    propose: async (app) => {
      if (!app.archivedAt) return formInvalid(`${app.name} is not archived.`);
      const tombstone = await getVersion(app._id, baseVersion);
      if (!tombstone?.archived)
        return formInvalid(`${app.name} changed meanwhile; reload the page.`);
      // A tombstone keeps the data of the version it retired: that is what comes back.
      const retired = baseVersion - 1;
      return {
        yours: tombstone.data,
        resolve: (head) => (head ? { data: head } : formInvalid('Nothing to restore.')),
        sameAsHead: () => '',
        message: reason ? `Restored v${retired}: ${reason}` : `Restored v${retired}`,
        lifecycle: 'restore',
        audit: {
          action: 'app.restored',
          summary: () =>
            `restored “${app.name}” with the configuration of v${retired}${reason ? `: ${reason}` : ''}`,
        },
        done: (version) => `Restored ${app.name} as v${version}`,
      };
    },
  });
}
