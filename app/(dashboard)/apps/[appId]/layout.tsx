import { AppsBreadcrumb } from '@/components/apps/apps-breadcrumb';
import type { ReactNode } from 'react';
import { AppTabs } from '@/components/apps/app-tabs';
import { ArchivedNotice } from '@/components/apps/archived-notice';
import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { TimeAgo } from '@/components/ui/time-ago';
import { can } from '@/lib/auth/principal';
import { loadApp } from './load-app';

export default async function AppLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ appId: string }>;
}) {
  const { appId } = await params;
  const { principal, app, head } = await loadApp(appId);
  return (
    <>
      <PageHeader
        breadcrumb={<AppsBreadcrumb />}
        title={
          <span className="flex flex-wrap items-center gap-3">
            {app.name}
            {head && <Badge tone="info">v{head.version}</Badge>}
            {app.archivedAt && <Badge tone="warning">Archived</Badge>}
          </span>
        }
        description={
          <>
            {app.description && <span className="block">{app.description}</span>}
            {head ? (
              <span className="block text-slate-500">
                Last change by {head.author.name} <TimeAgo date={head.createdAt} />
                {head.message ? <> — “{head.message}”</> : null}
                {principal.tenantId === null && <> · tenant {app.tenantId}</>}
              </span>
            ) : (
              <span className="block text-slate-500">No configuration yet.</span>
            )}
          </>
        }
      />
      {app.archivedAt && (
        <ArchivedNotice
          archivedAt={app.archivedAt}
          by={head?.archived ? head.author.name : null}
          settingsHref={can(principal, 'apps:manage') ? `/apps/${app._id}/settings` : null}
        />
      )}
      <AppTabs
        appId={app._id}
        canEdit={can(principal, 'config:edit') && !app.archivedAt}
        canManage={can(principal, 'apps:manage')}
      />
      {children}
    </>
  );
}
