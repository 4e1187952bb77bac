import Link from 'next/link';
import { PushBadge } from '@/components/history/push-badge';
import { RollbackButton } from '@/components/history/rollback-button';
import { VersionByline } from '@/components/history/version-byline';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { Table, Td, Tr } from '@/components/ui/table';
import type { VersionSummary } from '@/lib/db/config-versions';

export function HistoryTable({
  appId,
  versions,
  headVersion,
  canRollback,
}: {
  appId: string;
  versions: VersionSummary[];
  headVersion: number;
  canRollback: boolean;
}) {
  const base = `/apps/${appId}/history`;
  return (
    <Table
      caption="Every version of this app’s configuration, newest first"
      columns={['Version', 'Change', 'Cache']}
      actions
    >
      <tbody>
        {versions.map((v) => (
          <Tr key={v.version}>
            <Td className="whitespace-nowrap">
              <Link
                href={`${base}/${v.version}`}
                className="font-medium text-brand-700 hover:underline"
              >
                v{v.version}
              </Link>
              {v.version === headVersion && (
                <Badge tone="info" className="ml-2">
                  Current
                </Badge>
              )}
              {v.archived && (
                <Badge tone="warning" className="ml-2">
                  Archived
                </Badge>
              )}
            </Td>
            <Td>
              <VersionByline version={v} size="xs" />
            </Td>
            <Td>
              <PushBadge pushedAt={v.pushedAt} />
            </Td>
            <Td>
              <div className="flex flex-wrap justify-end gap-2">
                {v.version > 1 && (
                  <Link
                    href={`${base}?from=${v.version - 1}&to=${v.version}`}
                    className={buttonClasses('ghost', 'sm')}
                    aria-label={`Compare v${v.version} with v${v.version - 1}`}
                  >
                    Changes
                  </Link>
                )}
                <Link
                  href={`${base}/${v.version}`}
                  className={buttonClasses('ghost', 'sm')}
                  aria-label={`View v${v.version}`}
                >
                  View
                </Link>
                {/* A tombstone has nothing of its own to roll back to: restoring undoes it. */}
                {canRollback && v.version !== headVersion && !v.archived && (
                  <RollbackButton appId={appId} toVersion={v.version} headVersion={headVersion} />
                )}
              </div>
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
