import { StepButton } from '@/components/migration/step-button';
import type { MigrationStatusJson } from '@/lib/query/migration';
import type { MigrationStep } from '@/lib/model/migration-gates';

/** A step's button with the migration's cancel beside it (open until the cut-over). */
export function StepWithCancel({
  step,
  label,
  cancelLabel,
  data,
  canRun,
}: {
  step: MigrationStep;
  label: string;
  cancelLabel: string;
  data: MigrationStatusJson;
  canRun: boolean;
}) {
  return (
    <div className="flex flex-wrap items-start gap-6">
      <StepButton step={step} label={label} status={data} canRun={canRun} />
      <StepButton
        step="cancel"
        label={cancelLabel}
        variant="secondary"
        status={data}
        canRun={canRun}
      />
    </div>
  );
}
