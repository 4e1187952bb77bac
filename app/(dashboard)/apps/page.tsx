import type { Metadata } from 'next';
import { AppsTable } from '@/components/apps/apps-table';
import { Card, EmptyState } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/auth/current';
import { listAppsForPrincipal } from '@/lib/db/apps';

export const metadata: Metadata = { title: 'Apps' };

export default async function AppsPage() {
  const user = await requirePageUser();
  const apps = await listAppsForPrincipal(user);
  return (
    <>
      <PageHeader
        title="Apps"
        description={
          user.tenantId
            ? 'Each app’s sign-in configuration. Open an app to see where its latest version has reached, edit it, or look back through its history.'
            : 'Every tenant’s apps. Support can read configuration and history but not edit it.'
        }
      />
      <Card>
        {apps.length === 0 ? (
          <EmptyState title="No apps yet">
            {user.tenantId
              ? 'Your organisation has no apps configured in Propagate. Apps are added by your Propagate contact during onboarding.'
              : 'No tenant has an app yet.'}
          </EmptyState>
        ) : (
          <AppsTable apps={apps} showTenant={user.tenantId === null} />
        )}
      </Card>
    </>
  );
}
