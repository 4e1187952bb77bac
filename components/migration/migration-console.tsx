'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { StepButton } from '@/components/migration/step-button';
import { Badge } from '@/components/ui/badge';
import { Card, CardBody, CardHeader, ErrorState } from '@/components/ui/card';
import { Field, Select } from '@/components/ui/field';
import { Table, Td, Th, Tr, SkeletonRows } from '@/components/ui/table';
import { TimeAgo } from '@/components/ui/time-ago';
import { stepLabels, type MigrationStep } from '@/lib/deployments/migration-gates';
import { migrationQuery, type MigrationStatusJson } from '@/lib/query/migration';

type Migration = NonNullable<MigrationStatusJson['migration']>;

const steps = ['Plan', 'Backfill', 'Dual-write', 'Verify', 'Cut over', 'Watch', 'Finish'] as const;

/** Which of the seven steps the migration is at (the stepper highlights it). */
function currentStep(m: Migration | null): number {
  if (!m) return 0;
  if (m.phase === 'planned') return 1;
  if (m.phase === 'cut-over') return 5;
  if (!m.backfill.finishedAt) return 1;
  return 3;
}

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
      <Deployments data={data} />
      <Stepper at={currentStep(m)} />
      {!m && <PlanPanel data={data} canRun={canRun} chosen={chosen} onChoose={setChosen} />}
      {m?.phase === 'planned' && <StartPanel data={data} m={m} canRun={canRun} />}
      {m && m.phase !== 'planned' && <SyncPanel data={data} m={m} canRun={canRun} />}
      {m && m.phase !== 'planned' && <CutOverPanel data={data} m={m} canRun={canRun} />}
      <History data={data} />
    </div>
  );
}

function Deployments({ data }: { data: MigrationStatusJson }) {
  const m = data.migration;
  return (
    <Card>
      <CardHeader
        title="Cache deployments"
        description={`Services read from ${data.active} (marker epoch ${data.epoch}). Declared in the environment; credentials never leave the server.`}
      />
      <Table caption="Cache deployments">
        <thead>
          <tr>
            <Th>Deployment</Th>
            <Th>Primary</Th>
            <Th>Replicas</Th>
            <Th>Role now</Th>
          </tr>
        </thead>
        <tbody>
          {data.deployments.map((d) => (
            <Tr key={d.name}>
              <Td className="font-medium text-slate-900">
                {d.name}
                {d.tls && <span className="ml-2 text-xs text-slate-500">TLS</span>}
              </Td>
              <Td>{d.primaryRegion}</Td>
              <Td>{d.replicaRegions.length ? d.replicaRegions.join(', ') : 'none'}</Td>
              <Td>
                {d.name === data.active ? (
                  <Badge tone="success" dot>
                    active: services read here
                  </Badge>
                ) : m && (d.name === m.target || d.name === m.source) ? (
                  <Badge tone="info">
                    {data.live.includes(d.name) ? 'receives every save' : 'migration target'}
                  </Badge>
                ) : (
                  <Badge>idle</Badge>
                )}
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}

function Stepper({ at }: { at: number }) {
  return (
    <ol aria-label="Migration steps" className="flex flex-wrap gap-2">
      {steps.map((label, i) => (
        <li
          key={label}
          aria-current={i === at ? 'step' : undefined}
          className={
            i === at
              ? 'rounded-full bg-brand-600 px-3 py-1 text-sm font-medium text-white'
              : i < at
                ? 'rounded-full bg-emerald-50 px-3 py-1 text-sm text-emerald-800 ring-1 ring-emerald-200'
                : 'rounded-full bg-white px-3 py-1 text-sm text-slate-600 ring-1 ring-slate-200'
          }
        >
          {i + 1}. {label}
        </li>
      ))}
    </ol>
  );
}

function Preflight({ data }: { data: MigrationStatusJson }) {
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-semibold text-slate-900">
        Preflight: {data.chosenTarget ?? 'no target'}
      </h3>
      <ul className="flex flex-wrap gap-2" aria-label="Target regions">
        {data.targetRegions.map((r) => (
          <li key={r.region}>
            <Badge tone={r.reachable ? 'success' : 'danger'} dot>
              {r.region}: {r.reachable ? 'reachable' : (r.reason ?? 'not reachable')}
            </Badge>
          </li>
        ))}
      </ul>
      <p className="text-sm text-slate-600">
        {data.instances.total} service instance{data.instances.total === 1 ? '' : 's'} reporting;{' '}
        {data.instances.byRegion.reduce((n, r) => n + r.cannotReachTarget.length, 0)} cannot reach{' '}
        {data.chosenTarget}.
      </p>
      {data.instances.byRegion
        .filter((r) => r.cannotReachTarget.length > 0)
        .map((r) => (
          <p key={r.region} className="text-sm text-red-700">
            {r.region}: {r.cannotReachTarget.join(', ')}
          </p>
        ))}
    </div>
  );
}

function PlanPanel({
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
            <Field id="migration-target" label="Target deployment" className="max-w-xs">
              <Select
                id="migration-target"
                value={target}
                onChange={(e) => onChoose(e.target.value)}
              >
                {others.map((d) => (
                  <option key={d.name} value={d.name}>
                    {d.name}
                  </option>
                ))}
              </Select>
            </Field>
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

function StartPanel({
  data,
  m,
  canRun,
}: {
  data: MigrationStatusJson;
  m: Migration;
  canRun: boolean;
}) {
  return (
    <Card>
      <CardHeader
        title={`2. Backfill and dual writes: ${m.source} → ${m.target}`}
        description={`Planned by ${m.plannedBy.name}. Starting turns on dual writes first (every save then also goes to ${m.target}), then copies every app's current version with the same compare-and-set push, so a save made meanwhile is never overwritten.`}
      />
      <CardBody className="space-y-4">
        <Preflight data={data} />
        <div className="flex flex-wrap items-start gap-6">
          <StepButton
            step="start"
            label="Start backfill and dual writes"
            status={data}
            canRun={canRun}
          />
          <StepButton
            step="cancel"
            label="Cancel"
            variant="secondary"
            status={data}
            canRun={canRun}
          />
        </div>
      </CardBody>
    </Card>
  );
}

function SyncPanel({
  data,
  m,
  canRun,
}: {
  data: MigrationStatusJson;
  m: Migration;
  canRun: boolean;
}) {
  const b = m.backfill;
  const percent =
    b.total > 0 ? Math.min(100, Math.round((b.copied / b.total) * 100)) : b.finishedAt ? 100 : 0;
  const v = m.verify;
  const other = data.live[1] ?? m.target;
  const cleanForS = v.cleanSince
    ? Math.max(
        0,
        Math.floor((Date.parse(v.lastRunAt ?? v.cleanSince) - Date.parse(v.cleanSince)) / 1000),
      )
    : 0;
  const peak = Math.max(1, ...v.history.map((p) => p.missing + p.older + p.mismatch));
  return (
    <Card>
      <CardHeader
        title="Backfill, dual writes and verification"
        description={`Every save goes to ${data.active} and ${other}; the worker diffs every app in every region of ${other} against MongoDB continuously.`}
      />
      <CardBody className="space-y-6">
        <section aria-labelledby="backfill-heading" className="space-y-2">
          <h3 id="backfill-heading" className="text-sm font-semibold text-slate-900">
            Backfill {b.finishedAt ? 'done' : 'running'}
          </h3>
          <div
            role="progressbar"
            aria-label="Backfill progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="h-2.5 w-full max-w-xl overflow-hidden rounded-full bg-slate-100"
          >
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${percent}%` }} />
          </div>
          <p className="text-sm text-slate-600">
            {b.copied} of {b.total} apps copied ({percent}%)
            {b.finishedAt && (
              <>
                , finished <TimeAgo date={b.finishedAt} />
              </>
            )}
            .
          </p>
          {b.lastError && (
            <p role="status" className="text-sm text-amber-800">
              Paused: {b.lastError}. It resumes from app {b.cursor ?? 'one'} when {m.target}{' '}
              answers.
            </p>
          )}
        </section>
        <section aria-labelledby="dual-heading" className="space-y-1">
          <h3 id="dual-heading" className="text-sm font-semibold text-slate-900">
            Dual writes
          </h3>
          <p className="text-sm text-slate-600">
            Outbox of {data.outbox?.deployment ?? other}: {data.outbox?.pending ?? 0} waiting,{' '}
            {data.outbox?.failing ?? 0} retrying after a failure. A deployment that is down never
            fails or slows a save; the worker retries it on its own.
          </p>
        </section>
        <section aria-labelledby="verify-heading" className="space-y-2">
          <h3 id="verify-heading" className="text-sm font-semibold text-slate-900">
            Verify {other}
          </h3>
          {!v.lastRunAt ? (
            <p className="text-sm text-slate-600">Starts when the backfill is done.</p>
          ) : (
            <>
              <dl className="grid max-w-xl grid-cols-3 gap-3">
                {(['missing', 'older', 'mismatch'] as const).map((k) => (
                  <div key={k} className="rounded-md border border-slate-200 px-3 py-2">
                    <dt className="text-xs text-slate-500">
                      {k === 'mismatch' ? 'checksum mismatch' : k}
                    </dt>
                    <dd
                      className={
                        v.counts[k]
                          ? 'text-xl font-semibold text-red-700'
                          : 'text-xl font-semibold text-slate-900'
                      }
                    >
                      {v.counts[k]}
                    </dd>
                  </div>
                ))}
              </dl>
              <div
                aria-hidden
                className="flex h-10 max-w-xl items-end gap-px"
                title="Mismatches over time"
              >
                {v.history.map((p) => {
                  const n = p.missing + p.older + p.mismatch;
                  return (
                    <span
                      key={p.at}
                      className={n ? 'w-1 bg-red-500' : 'w-1 bg-emerald-400'}
                      style={{ height: `${Math.max(8, (n / peak) * 100)}%` }}
                    />
                  );
                })}
              </div>
              <p className="text-sm text-slate-600">
                Last check <TimeAgo date={v.lastRunAt} />.{' '}
                {v.cleanSince
                  ? `Clean for ${cleanForS} s of the ${Math.round(m.verifyWindowMs / 1000)} s window.`
                  : 'Not clean: the window starts at the next clean check.'}
              </p>
              {v.regionsOutOfSync.length > 0 && (
                <p role="status" className="text-sm text-red-700">
                  Out of sync:{' '}
                  {v.regionsOutOfSync.map((r) => `${r.region} (${r.reason})`).join(', ')}
                </p>
              )}
              {v.offending.length > 0 && (
                <ul aria-label="Apps that differ" className="text-sm text-red-700">
                  {v.offending.slice(0, 10).map((o) => (
                    <li key={`${o.appId}-${o.region}`}>
                      {o.appId} in {o.region}: {o.problem}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </section>
        {m.phase === 'syncing' && (
          <div className="flex flex-wrap items-start gap-6">
            <StepButton
              step="cutOver"
              label={`Cut over to ${m.target}`}
              status={data}
              canRun={canRun}
            />
            <StepButton
              step="cancel"
              label="Cancel migration"
              variant="secondary"
              status={data}
              canRun={canRun}
            />
          </div>
        )}
      </CardBody>
    </Card>
  );
}

function CutOverPanel({
  data,
  m,
  canRun,
}: {
  data: MigrationStatusJson;
  m: Migration;
  canRun: boolean;
}) {
  return (
    <Card>
      <CardHeader
        title="Services by region"
        description={
          m.phase === 'cut-over'
            ? `Cut over ${m.cutOverAt ? 'at ' + new Date(m.cutOverAt).toISOString().slice(11, 19) + ' UTC' : ''}: services load every app from ${m.target} and switch without a restart. Dual writes continue, so rolling back loses nothing.`
            : `Services read from ${data.active}.`
        }
      />
      <Table caption="Service instances per region and deployment">
        <thead>
          <tr>
            <Th>Region</Th>
            <Th>On {m.target}</Th>
            <Th>Others</Th>
            <Th>Cannot reach {m.target}</Th>
          </tr>
        </thead>
        <tbody>
          {data.instances.byRegion.length === 0 ? (
            <Tr>
              <Td colSpan={4} className="text-slate-500">
                No service instance reports yet.
              </Td>
            </Tr>
          ) : (
            data.instances.byRegion.map((r) => (
              <Tr key={r.region}>
                <Td className="font-medium text-slate-900">{r.region}</Td>
                <Td>
                  {r.on[m.target] ?? 0}/{r.total} on {m.target}
                </Td>
                <Td>
                  {Object.entries(r.on)
                    .filter(([name]) => name !== m.target)
                    .map(([name, n]) => `${n} on ${name}`)
                    .join(', ') || 'none'}
                </Td>
                <Td>{r.cannotReachTarget.length ? r.cannotReachTarget.join(', ') : 'none'}</Td>
              </Tr>
            ))
          )}
        </tbody>
      </Table>
      {m.phase === 'cut-over' && (
        <CardBody className="flex flex-wrap items-start gap-6 border-t border-slate-200">
          <StepButton
            step="rollBack"
            label={`Roll back to ${m.source}`}
            variant="danger"
            status={data}
            canRun={canRun}
          />
          <StepButton
            step="finish"
            label={`Finish: retire ${m.source}`}
            status={data}
            canRun={canRun}
          />
        </CardBody>
      )}
    </Card>
  );
}

function History({ data }: { data: MigrationStatusJson }) {
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
