import { BackfillProgressSection } from '@/components/migration/backfill-progress';
import { DualWriteSection } from '@/components/migration/dual-write-section';
import type { PanelProps } from '@/components/migration/panel-props';
import { StepWithCancel } from '@/components/migration/step-with-cancel';
import { VerifySection } from '@/components/migration/verify-section';
import { Card, CardBody, CardHeader } from '@/components/ui/card';

/** Steps 2 to 4 once started: the copy, the dual writes, the diff, and the cut-over's gate. */
export function SyncPanel({ data, m, canRun }: PanelProps) {
  const other = data.live[1] ?? m.target;
  return (
    <Card>
      <CardHeader
        title="Backfill, dual writes and verification"
        description={`Every save goes to ${data.active} and ${other}; the worker diffs every app in every region of ${other} against MongoDB continuously.`}
      />
      <CardBody className="space-y-6">
        <BackfillProgressSection m={m} />
        <DualWriteSection outbox={data.outbox} other={other} />
        <VerifySection m={m} other={other} />
        {m.phase === 'syncing' && (
          <StepWithCancel
            step="cutOver"
            label={`Cut over to ${m.target}`}
            cancelLabel="Cancel migration"
            data={data}
            canRun={canRun}
          />
        )}
      </CardBody>
    </Card>
  );
}
