import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { MigrationConsole } from '@/components/migration/migration-console';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';

export const metadata: Metadata = { title: 'Cache migration' };

/** The vendor's platform team moves the cache between deployments; support watches. */
export default async function MigrationPage() {
  const user = await requirePageUser();
  if (!can(user, 'deployments:read')) notFound();
  return (
    <>
      <PageHeader
        title="Cache migration"
        description="Move every app's configuration to another cache deployment: copy it, write to both, verify, cut services over without a restart, and roll back with one click if anything looks wrong."
      />
      <MigrationConsole canRun={can(user, 'migration:run')} />
    </>
  );
}
