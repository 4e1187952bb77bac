'use client';

import { Preflight } from '@/components/migration/preflight';
import { StepButton } from '@/components/migration/step-button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { choicesOf, Options, SelectField } from '@/components/ui/field';
import type { MigrationStatusJson } from '@/lib/query/migration';

/** Step 1: choose the target; its preflight updates as the choice changes. */
export function PlanPanel({
  data,
  canRun,
  chosen,
  onChoose,
}: {
  data: MigrationStatusJson;
  canRun: boolean;
  chosen: string | undefined;
  onChoose: (name: string) => void;
}) {
  const others = data.deployments.filter((d) => d.name !== data.active);
  const target = chosen ?? data.chosenTarget ?? undefined;
  return (
    <Card>
      <CardHeader
        title="1. Plan"
        description="Choose where the cache moves. Nothing is written anywhere until you start."
      />
      <CardBody className="space-y-4">
        {others.length === 0 ? (
          <p className="text-sm text-slate-600">
            Only {data.active} is declared. Declare another deployment in CACHE_DEPLOYMENTS to
            migrate to it.
          </p>
        ) : (
          <>
            <SelectField
              id="migration-target"
              label="Target deployment"
              fieldClassName="max-w-xs"
              value={target}
              onChange={(e) => onChoose(e.target.value)}
            >
              <Options choices={choicesOf(others.map((d) => d.name))} />
            </SelectField>
            <Preflight data={data} />
            <StepButton
              step="plan"
              label={`Plan migration ${data.active} → ${target ?? ''}`}
              status={data}
              target={target}
              canRun={canRun}
            />
          </>
        )}
      </CardBody>
    </Card>
  );
}
