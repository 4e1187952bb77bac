import type { Metadata } from 'next';
import Link from 'next/link';
import { ChangeTable } from '@/components/config-diff/change-table';
import { CompareForm } from '@/components/history/compare-form';
import { HistoryTable } from '@/components/history/history-table';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardBody, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { can } from '@/lib/auth/principal';
import { diffConfigs } from '@/lib/config-diff';
import { getVersion, listHistory } from '@/lib/db/config-versions';
import { versionSchema } from '@/lib/schemas/app';
import { loadApp } from '../load-app';

const PAGE_SIZE = 25;

type Props = {
  params: Promise<{ appId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { app } = await loadApp((await params).appId);
  return { title: `History · ${app.name}` };
}

const versionParam = (value: string | string[] | undefined) => {
  const parsed = versionSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

async function Comparison({ appId, from, to }: { appId: string; from: number; to: number }) {
  const [a, b] = await Promise.all([getVersion(appId, from), getVersion(appId, to)]);
  const missing = [a ? null : from, b ? null : to].filter((v) => v !== null);
  return (
    <Card>
      <CardHeader
        title={`Differences from v${from} to v${to}`}
        description="Secrets that changed are listed without their values."
      />
      {!a || !b ? (
        <ErrorState title="Can’t compare these versions">
          {missing.map((v) => `v${v}`).join(' and ')} {missing.length === 1 ? 'does' : 'do'} not
          exist for this app.
        </ErrorState>
      ) : (
        <ChangeTable
          changes={diffConfigs(a.data, b.data)}
          caption={`Changes from v${from} to v${to}`}
          emptyTitle="These versions are identical"
        />
      )}
    </Card>
  );
}

export default async function HistoryPage({ params, searchParams }: Props) {
  const { principal, app, head } = await loadApp((await params).appId);
  const query = await searchParams;
  const headVersion = head?.version ?? 0;
  const before = versionParam(query.before);
  const from = versionParam(query.from);
  const to = versionParam(query.to);
  const versions = await listHistory(app._id, { limit: PAGE_SIZE, before });
  const oldestShown = versions.at(-1)?.version;
  const base = `/apps/${app._id}/history`;
  const allVersions = Array.from({ length: headVersion }, (_, i) => headVersion - i);

  return (
    <div className="space-y-6">
      {from !== undefined && to !== undefined && <Comparison appId={app._id} from={from} to={to} />}
      <Card>
        <CardHeader
          title="Versions"
          description="Every saved version, newest first. A rollback adds a new version; nothing is ever deleted."
        />
        {headVersion > 1 && (
          <CardBody className="border-b border-slate-200">
            <CompareForm
              action={base}
              versions={allVersions}
              from={from ?? headVersion - 1}
              to={to ?? headVersion}
            />
          </CardBody>
        )}
        {versions.length === 0 ? (
          <EmptyState title="No versions here">
            {before ? <Link href={base}>Back to the newest versions</Link> : null}
          </EmptyState>
        ) : (
          <HistoryTable
            appId={app._id}
            versions={versions}
            headVersion={headVersion}
            canRollback={can(principal, 'config:edit') && !app.archivedAt}
          />
        )}
        {(before !== undefined || (oldestShown !== undefined && oldestShown > 1)) && (
          <CardBody className="flex justify-between border-t border-slate-200">
            {before !== undefined ? (
              <Link href={base} className={buttonClasses('secondary', 'sm')}>
                Newest versions
              </Link>
            ) : (
              <span />
            )}
            {oldestShown !== undefined && oldestShown > 1 && (
              <Link
                href={`${base}?before=${oldestShown}`}
                className={buttonClasses('secondary', 'sm')}
              >
                Older versions
              </Link>
            )}
          </CardBody>
        )}
      </Card>
    </div>
  );
}
