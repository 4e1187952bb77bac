import type { Metadata } from 'next';
import { AppInstancesSlot } from '@/components/apps/app-instances-slot';
import { AppPropagationSlot } from '@/components/apps/app-propagation-slot';
import { ConfigSummary } from '@/components/apps/config-summary';
import { Card, EmptyState } from '@/components/ui/card';
import { FlashNotice } from '@/components/ui/flash-notice';
import { NOTICE_COOKIE, readNotice } from '@/lib/actions/flash-notice';
import { maskSecrets } from '@/lib/secrets';
import { loadApp } from './load-app';

type Props = { params: Promise<{ appId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { app } = await loadApp((await params).appId);
  return { title: app.name };
}

export default async function AppOverviewPage({ params }: Props) {
  const { principal, app, head } = await loadApp((await params).appId);
  const headVersion = head?.version ?? 0;
  return (
    <div className="space-y-6">
      {/* What a save or rollback that redirected here has to say. */}
      <FlashNotice
        notice={await readNotice()}
        cookie={{ name: NOTICE_COOKIE, path: `/apps/${app._id}` }}
      />
      <AppPropagationSlot user={principal} app={app} />
      <AppInstancesSlot appId={app._id} headVersion={headVersion} />
      {head ? (
        <ConfigSummary
          config={maskSecrets(head.data)}
          title={
            head.archived
              ? `Last configuration (v${head.version - 1})`
              : `Configuration v${head.version}`
          }
          description={
            head.archived
              ? 'No region serves it while the app is archived; restoring serves it again. Secrets are never shown.'
              : 'What every region serves once this version has propagated. Secrets are never shown.'
          }
        />
      ) : (
        <Card>
          <EmptyState title="This app has no configuration yet" />
        </Card>
      )}
    </div>
  );
}
