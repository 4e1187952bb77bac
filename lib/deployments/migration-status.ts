import 'server-only';
import { getCacheState, listPastMigrations } from '@/lib/db/cache-state';
import { countDeploymentOutbox } from '@/lib/db/deployment-outbox';
import {
  gateFor,
  migrationSteps,
  type Gate,
  type MigrationStep,
} from '@/lib/model/migration-gates';
import { liveDeployments, writeTargets, type CacheStateDoc } from '@/lib/model/migration';
import { gatherFacts } from '@/lib/deployments/migration-steps';
import { listDeployments } from '@/lib/regions';

export interface RegionCutOver {
  region: string;
  total: number;
  /** Instances per deployment they read from. */
  on: Record<string, number>;
  /** Instances that cannot reach the migration's target. */
  cannotReachTarget: string[];
}

/** Everything the operator page shows, in one answer (polled every second while open). */
export async function readMigrationStatus({ target }: { target?: string } = {}) {
  const state: CacheStateDoc = await getCacheState();
  const m = state.migration;
  const chosen =
    m?.target ?? target ?? listDeployments().find((d) => d.name !== state.active)?.name;
  const [facts, past, outbox] = await Promise.all([
    gatherFacts(state, chosen),
    listPastMigrations(5),
    writeTargets(state)[1]
      ? countDeploymentOutbox(writeTargets(state)[1] ?? '').then((counts) => ({
          deployment: writeTargets(state)[1] ?? '',
          ...counts,
        }))
      : null,
  ]);
  const gates = Object.fromEntries(
    migrationSteps.map((step) => [step, gateFor(step, state, facts)]),
  ) as Record<MigrationStep, Gate>;
  const regions = new Map<string, RegionCutOver>();
  for (const i of facts.instances) {
    const r = regions.get(i.region) ?? {
      region: i.region,
      total: 0,
      on: {},
      cannotReachTarget: [],
    };
    r.total += 1;
    const on = i.deployment ?? 'unknown';
    r.on[on] = (r.on[on] ?? 0) + 1;
    if (chosen && i.reaches?.[chosen] !== true) r.cannotReachTarget.push(i.instanceId);
    regions.set(i.region, r);
  }
  return {
    active: state.active,
    epoch: state.epoch,
    revision: state.revision,
    live: liveDeployments(state),
    chosenTarget: chosen ?? null,
    deployments: listDeployments().map((d) => ({
      name: d.name,
      primaryRegion: d.primary.region,
      replicaRegions: d.replicas.map((r) => r.region),
      tls: d.connection.tls,
    })),
    migration: m,
    lastStep: state.lastStep,
    gates,
    targetRegions: facts.targetRegions,
    instances: { total: facts.instances.length, byRegion: [...regions.values()] },
    outbox,
    past: past.map((p) => ({
      id: p.id,
      source: p.source,
      target: p.target,
      outcome: p.outcome,
      endedAt: p.endedAt,
    })),
  };
}

export type MigrationStatus = Awaited<ReturnType<typeof readMigrationStatus>>;
