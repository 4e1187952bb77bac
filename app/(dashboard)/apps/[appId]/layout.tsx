import Link from 'next/link';
import type { ReactNode } from 'react';
import { AppTabs } from '@/components/apps/app-tabs';
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
        breadcrumb={
          <Link href="/apps" className="hover:text-slate-800 hover:underline">
            Apps
          </Link>
        }
        title={
          <span className="flex flex-wrap items-center gap-3">
            {app.name}
            {head && <Badge tone="info">v{head.version}</Badge>}
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
      <AppTabs appId={app._id} canEdit={can(principal, 'config:edit')} />
      {children}
    </>
  );
}
