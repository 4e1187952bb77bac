import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { TimeAgo } from '@/components/ui/time-ago';
import { stepLabels, type MigrationStep } from '@/lib/model/migration-gates';
import type { MigrationStatusJson } from '@/lib/query/migration';

/** The last step taken (by whom) and the migrations that ended. */
export function MigrationHistory({ data }: { data: MigrationStatusJson }) {
  if (data.past.length === 0 && !data.lastStep) return null;
  return (
    <Card>
      <CardHeader title="Recent" />
      <CardBody className="space-y-1 text-sm text-slate-700">
        {data.lastStep && (
          <p>
            Last step: {data.lastStep.by.name}{' '}
            {stepLabels[data.lastStep.action as MigrationStep] ?? data.lastStep.action},{' '}
            <TimeAgo date={data.lastStep.at} />.
          </p>
        )}
        {data.past.map((p) => (
          <p key={p.id}>
            {p.source} → {p.target}: {p.outcome} <TimeAgo date={p.endedAt} />
          </p>
        ))}
      </CardBody>
    </Card>
  );
}
