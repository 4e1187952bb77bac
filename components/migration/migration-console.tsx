'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CutOverPanel } from '@/components/migration/cut-over-panel';
import { DeploymentsCard } from '@/components/migration/deployments-card';
import { MigrationHistory } from '@/components/migration/migration-history';
import { PlanPanel } from '@/components/migration/plan-panel';
import { StartPanel } from '@/components/migration/start-panel';
import { currentStep, Stepper } from '@/components/migration/stepper';
import { SyncPanel } from '@/components/migration/sync-panel';
import { Card, ErrorState } from '@/components/ui/card';
import { Table, SkeletonRows } from '@/components/ui/table';
import { migrationQuery } from '@/lib/query/migration';

/** The operator's page: one panel per step, each from the status polled every second. */
export function MigrationConsole({ canRun }: { canRun: boolean }) {
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const { data, error, isPending } = useQuery(migrationQuery(chosen));
  if (isPending)
    return (
      <Card>
        <Table caption="Loading the cache deployments">
          <tbody>
            <SkeletonRows columns={3} />
          </tbody>
        </Table>
      </Card>
    );
  if (error || !data)
    return (
      <Card>
        <ErrorState title="The migration status could not be loaded">
          {error instanceof Error ? error.message : 'Try again in a moment.'} The page keeps
          retrying.
        </ErrorState>
      </Card>
    );
  const m = data.migration;
  return (
    <div className="space-y-6">
      <DeploymentsCard data={data} />
      <Stepper at={currentStep(m)} />
      {!m && <PlanPanel data={data} canRun={canRun} chosen={chosen} onChoose={setChosen} />}
      {m?.phase === 'planned' && <StartPanel data={data} m={m} canRun={canRun} />}
      {m && m.phase !== 'planned' && <SyncPanel data={data} m={m} canRun={canRun} />}
      {m && m.phase !== 'planned' && <CutOverPanel data={data} m={m} canRun={canRun} />}
      <MigrationHistory data={data} />
    </div>
  );
}
