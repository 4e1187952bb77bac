import type { Metadata } from 'next';
import { ConfigSummary } from '@/components/apps/config-summary';
import { ConfigEditor } from '@/components/config-editor/config-editor';
import { ReadOnlyNotice } from '@/components/config-editor/read-only-notice';
import { Card, EmptyState } from '@/components/ui/card';
import { can } from '@/lib/auth/principal';
import { maskSecrets } from '@/lib/secrets';
import { loadApp } from '../load-app';

type Props = { params: Promise<{ appId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { app } = await loadApp((await params).appId);
  return { title: `Edit ${app.name}` };
}

export default async function EditConfigPage({ params }: Props) {
  const { principal, app, head } = await loadApp((await params).appId);
  if (!head) {
    return (
      <Card>
        <EmptyState title="This app has no configuration yet" />
      </Card>
    );
  }
  // Only the masked config crosses to the browser: secrets never leave the server.
  const masked = maskSecrets(head.data);
  if (!can(principal, 'config:edit') || app.archivedAt) {
    return (
      <div className="space-y-6">
        {/* An archived app says so in the banner above; the role notice would be misleading. */}
        {!app.archivedAt && <ReadOnlyNotice role={principal.role} />}
        <ConfigSummary config={masked} title={`Configuration v${head.version}`} />
      </div>
    );
  }
  // Not keyed by version: after a conflict the refresh re-renders this page with the new head,
  // and the editor must keep the draft it is about to re-apply on top of it.
  return <ConfigEditor appId={app._id} baseVersion={head.version} initial={masked} />;
}
