import 'server-only';
import { randomBytes } from 'node:crypto';
import { env } from '@/lib/env';
import { applyStep, archiveMigration, getCacheState } from '@/lib/db/cache-state';
import type { AuditAction } from '@/lib/schemas/audit';
import {
  emptyBackfill,
  emptyVerify,
  liveDeployments,
  type CacheStateDoc,
  type MigrationDoc,
  type StepActor,
} from '@/lib/model/migration';
import {
  gateFor,
  stepLabels,
  type GateFacts,
  type MigrationStep,
} from '@/lib/model/migration-gates';
import { readFleet } from '@/lib/deployments/fleet-presence';
import { writeMarkerEverywhere } from '@/lib/deployments/marker-writer';
import { readAllRegions } from '@/lib/propagation/read-stamps';
import { findDeployment, listDeployments, regionsOf } from '@/lib/regions';

/** The deployment a step's gate checks: the chosen target while planning, else the migration's. */
function targetOf(state: CacheStateDoc, chosen?: string): string | null {
  return state.migration?.target ?? chosen ?? null;
}

/** What the gates need to know about the world now: the target's regions and the fleet. */
export async function gatherFacts(state: CacheStateDoc, chosen?: string): Promise<GateFacts> {
  const target = targetOf(state, chosen);
  const deployment = target ? findDeployment(target) : undefined;
  const live = new Set([...liveDeployments(state), ...(target ? [target] : [])]);
  const [read, instances] = await Promise.all([
    deployment ? readAllRegions([], { regions: regionsOf(deployment) }) : null,
    readFleet([...live]),
  ]);
  return {
    now: new Date(),
    targetRegions:
      read?.regions.map((r) => ({
        region: r.region.name,
        reachable: r.reachable && r.linkUp !== false,
        ...(!r.reachable
          ? { reason: 'no answer' }
          : r.linkUp === false
            ? { reason: 'replication link down' }
            : {}),
      })) ?? [],
    instances,
  };
}

export type StepResult =
  | { status: 'done'; state: CacheStateDoc; message: string }
  | { status: 'refused'; state: CacheStateDoc; message: string };

const auditActions: Record<MigrationStep, AuditAction> = {
  plan: 'migration.planned',
  start: 'migration.started',
  cutOver: 'migration.cut_over',
  rollBack: 'migration.rolled_back',
  finish: 'migration.finished',
  cancel: 'migration.cancelled',
};

/** The fields a step changes, given the state it applies to. */
function changesFor(
  step: MigrationStep,
  state: CacheStateDoc,
  m: MigrationDoc | null,
  by: StepActor,
  target: string | undefined,
): Partial<Pick<CacheStateDoc, 'active' | 'epoch' | 'migration'>> {
  const now = new Date();
  switch (step) {
    case 'plan':
      return {
        migration: {
          id: `mig-${now.toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`,
          source: state.active,
          target: target ?? '',
          phase: 'planned',
          plannedAt: now,
          plannedBy: by,
          backfill: emptyBackfill(),
          verify: emptyVerify(),
          cutOverAt: null,
          rolledBackAt: null,
          verifyWindowMs: env.MIGRATION_VERIFY_WINDOW_MS,
        },
      };
    case 'start':
      return { migration: m && { ...m, phase: 'syncing', backfill: emptyBackfill() } };
    case 'cutOver':
      return {
        active: m?.target ?? state.active,
        epoch: state.epoch + 1,
        migration: m && { ...m, phase: 'cut-over', cutOverAt: now, verify: emptyVerify() },
      };
    case 'rollBack':
      return {
        active: m?.source ?? state.active,
        epoch: state.epoch + 1,
        migration: m && { ...m, phase: 'syncing', rolledBackAt: now, verify: emptyVerify() },
      };
    case 'finish':
      // The marker's new epoch tells services the source is retired (its `live` omits it).
      return { migration: null, epoch: state.epoch + 1 };
    case 'cancel':
      return { migration: null };
  }
}

/**
 * One operator step: refused with the gate's reason when it is closed, and applied with a
 * compare-and-set on the revision the operator's page showed, so of two operators acting at once
 * one wins and the other is told what happened instead. A switch of the active deployment then
 * writes the marker (with the new epoch) to every live deployment's primary.
 */
export async function takeStep({
  step,
  expectRevision,
  target,
  by,
  audit,
}: {
  step: MigrationStep;
  expectRevision: number;
  target?: string;
  by: StepActor;
  audit: (entry: {
    action: AuditAction;
    summary: string;
    details: Record<string, unknown>;
  }) => Promise<void>;
}): Promise<StepResult> {
  const state = await getCacheState();
  if (state.revision !== expectRevision) {
    const last = state.lastStep;
    return {
      status: 'refused',
      state,
      message: last
        ? `${last.by.name} ${stepLabels[last.action as MigrationStep] ?? last.action} at ${last.at.toISOString().slice(11, 19)} UTC while you were looking; the page now shows what is in place.`
        : 'The migration changed while you were looking; the page now shows what is in place.',
    };
  }
  if (step === 'plan') {
    if (!target || !findDeployment(target))
      return {
        status: 'refused',
        state,
        message: `Choose a target among ${listDeployments()
          .map((d) => d.name)
          .join(', ')}.`,
      };
    if (target === state.active)
      return { status: 'refused', state, message: `Services already read from ${target}.` };
  }
  const gate = gateFor(step, state, await gatherFacts(state, target));
  if (!gate.open) return { status: 'refused', state, message: gate.reason };

  const m = state.migration;
  const outcome = await applyStep({
    expectRevision,
    action: step,
    by,
    set: changesFor(step, state, m, by, target),
  });
  if (outcome.status === 'raced') return takeStep({ step, expectRevision, target, by, audit });
  const next = outcome.state;
  if (m && (step === 'finish' || step === 'cancel'))
    await archiveMigration(m, step === 'finish' ? 'finished' : 'cancelled');

  let message = `${by.name} ${stepLabels[step]}.`;
  if (step === 'cutOver' || step === 'rollBack' || step === 'finish') {
    const live = liveDeployments(next);
    // A finish is also written to the retired source, so services reading nothing else hear it.
    const { unreachable } = await writeMarkerEverywhere(
      step === 'finish' ? liveDeployments(state) : live,
      { deployment: next.active, epoch: next.epoch, live },
    );
    const retry = unreachable.length
      ? ` The marker could not be written to ${unreachable.join(', ')} yet${step === 'finish' ? '' : '; the worker keeps trying'}.`
      : '';
    message =
      step === 'finish'
        ? `${by.name} ${stepLabels[step]}: services drop their connections to ${m?.source ?? 'the source'} (epoch ${next.epoch}).${retry}`
        : `Services now switch to ${next.active} (epoch ${next.epoch}).${retry}`;
  }
  const migration = next.migration ?? m;
  await audit({
    action: auditActions[step],
    summary: `${stepLabels[step][0]?.toUpperCase()}${stepLabels[step].slice(1)}: ${migration?.source ?? '?'} → ${migration?.target ?? '?'}`,
    details: {
      migrationId: migration?.id ?? null,
      active: next.active,
      epoch: next.epoch,
      revision: next.revision,
    },
  });
  return { status: 'done', state: next, message };
}
