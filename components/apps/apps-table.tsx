import Link from 'next/link';
import { PropagationSummarySlot } from '@/components/apps/propagation-summary-slot';
import { Badge } from '@/components/ui/badge';
import { Table, Td, Tr } from '@/components/ui/table';
import { TimeAgo } from '@/components/ui/time-ago';
import type { AppSummary } from '@/lib/db/apps';

export function AppsTable({
  apps,
  showTenant,
  archived = false,
}: {
  apps: AppSummary[];
  showTenant: boolean;
  /** Archived apps show when they were archived instead of their propagation. */
  archived?: boolean;
}) {
  const pageApps = apps
    .filter((app) => !app.archivedAt)
    .map((app) => app.id)
    .join(',');
  return (
    <Table
      caption="Apps and their current configuration version"
      columns={[
        'App',
        showTenant && 'Tenant',
        'Version',
        'Last change',
        archived ? 'Archived' : 'Propagation',
      ]}
    >
      <tbody>
        {apps.map((app) => (
          <Tr key={app.id}>
            <Td>
              <Link href={`/apps/${app.id}`} className="font-medium text-brand-700 hover:underline">
                {app.name}
              </Link>
              <span className="ml-2 font-mono text-xs text-slate-500">{app.id}</span>
              {app.description && (
                <p className="mt-0.5 text-xs text-slate-500">{app.description}</p>
              )}
            </Td>
            {showTenant && <Td>{app.tenantId}</Td>}
            <Td>
              {app.headVersion > 0 ? (
                <Badge tone="neutral">v{app.headVersion}</Badge>
              ) : (
                <span className="text-slate-400">No configuration</span>
              )}
            </Td>
            <Td>
              {app.lastChange ? (
                <div>
                  <p className="text-slate-900">
                    {app.lastChange.message || (
                      <span className="text-slate-400 italic">No message</span>
                    )}
                  </p>
                  <p className="text-xs text-slate-500">
                    {app.lastChange.author.name} · <TimeAgo date={app.lastChange.createdAt} />
                  </p>
                </div>
              ) : (
                '—'
              )}
            </Td>
            <Td>
              {app.archivedAt ? (
                <span className="text-slate-600">
                  <TimeAgo date={app.archivedAt} />
                  <span className="block text-xs text-slate-500">Not served by any region</span>
                </span>
              ) : (
                <PropagationSummarySlot
                  appId={app.id}
                  headVersion={app.headVersion}
                  pageApps={pageApps}
                />
              )}
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
