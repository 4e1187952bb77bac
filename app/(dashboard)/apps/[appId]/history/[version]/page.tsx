import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ConfigSummary } from '@/components/apps/config-summary';
import { PushBadge } from '@/components/history/push-badge';
import { RollbackButton } from '@/components/history/rollback-button';
import { VersionByline } from '@/components/history/version-byline';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { can } from '@/lib/auth/principal';
import { getVersion } from '@/lib/db/config-versions';
import { versionSchema } from '@/lib/schemas/app';
import { maskSecrets } from '@/lib/secrets';
import { loadApp } from '../../load-app';

type Props = { params: Promise<{ appId: string; version: string }> };

async function load(params: Props['params']) {
  const { appId, version: raw } = await params;
  const loaded = await loadApp(appId);
  const version = versionSchema.safeParse(raw);
  const doc = version.success ? await getVersion(loaded.app._id, version.data) : null;
  if (!doc) notFound();
  return { ...loaded, doc };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { app, doc } = await load(params);
  return { title: `v${doc.version} · ${app.name}` };
}

export default async function VersionPage({ params }: Props) {
  const { principal, app, head, doc } = await load(params);
  const headVersion = head?.version ?? 0;
  const isHead = doc.version === headVersion;
  const history = `/apps/${app._id}/history`;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4 rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-xs">
        <div>
          <h2 className="flex items-center gap-2 text-lg font-semibold text-slate-900">
            Version {doc.version}
            {isHead && <Badge tone="info">Current</Badge>}
            <PushBadge pushedAt={doc.pushedAt} />
          </h2>
          <div className="mt-1">
            <VersionByline version={doc} />
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href={history} className={buttonClasses('ghost', 'sm')}>
            All versions
          </Link>
          {doc.version > 1 && (
            <Link
              href={`${history}?from=${doc.version - 1}&to=${doc.version}`}
              className={buttonClasses('secondary', 'sm')}
            >
              Changes in this version
            </Link>
          )}
          {!isHead && (
            <Link
              href={`${history}?from=${doc.version}&to=${headVersion}`}
              className={buttonClasses('secondary', 'sm')}
            >
              Compare with current (v{headVersion})
            </Link>
          )}
          {!isHead && !app.archivedAt && !doc.archived && can(principal, 'config:edit') && (
            <RollbackButton appId={app._id} toVersion={doc.version} headVersion={headVersion} />
          )}
        </div>
      </div>
      <ConfigSummary config={maskSecrets(doc.data)} title={`Configuration v${doc.version}`} />
    </div>
  );
}
