import type { Metadata } from 'next';
import { AppDetailsForm } from '@/components/apps/app-details-form';
import { ArchiveAppCard } from '@/components/apps/archive-app-card';
import { NotPermitted } from '@/components/shell/not-permitted';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { can } from '@/lib/auth/principal';
import { loadApp } from '../load-app';

type Props = { params: Promise<{ appId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { app } = await loadApp((await params).appId);
  return { title: `Settings · ${app.name}` };
}

export default async function AppSettingsPage({ params }: Props) {
  const { principal, app, head } = await loadApp((await params).appId);
  if (!can(principal, 'apps:manage')) {
    return (
      <NotPermitted title="App settings">
        Only an admin of this organisation renames, archives and restores its apps.
      </NotPermitted>
    );
  }
  const archived = !!app.archivedAt;
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader
          title="Name and description"
          description="For people in Propagate. Services find the app by its id, which never changes."
        />
        <CardBody>
          <AppDetailsForm
            appId={app._id}
            name={app.name}
            description={app.description}
            readOnly={archived}
          />
        </CardBody>
      </Card>
      {head && (
        <ArchiveAppCard
          // A fresh card (and action state) once the app flips between archived and active.
          key={String(archived)}
          appId={app._id}
          name={app.name}
          archived={archived}
          headVersion={head.version}
        />
      )}
    </div>
  );
}
