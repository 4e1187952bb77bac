import type { PanelProps } from '@/components/migration/panel-props';
import { Preflight } from '@/components/migration/preflight';
import { StepWithCancel } from '@/components/migration/step-with-cancel';
import { Card, CardBody, CardHeader } from '@/components/ui/card';

/** Step 2 before it starts: the preflight again, then start (or cancel). */
export function StartPanel({ data, m, canRun }: PanelProps) {
  return (
    <Card>
      <CardHeader
        title={`2. Backfill and dual writes: ${m.source} → ${m.target}`}
        description={`Planned by ${m.plannedBy.name}. Starting turns on dual writes first (every save then also goes to ${m.target}), then copies every app's current version with the same compare-and-set push, so a save made meanwhile is never overwritten.`}
      />
      <CardBody className="space-y-4">
        <Preflight data={data} />
        <StepWithCancel
          step="start"
          label="Start backfill and dual writes"
          cancelLabel="Cancel"
          data={data}
          canRun={canRun}
        />
      </CardBody>
    </Card>
  );
}
