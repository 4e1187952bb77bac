import 'server-only';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one process (a Next server or the worker), served by
 * `GET /api/metrics` and the worker's metrics port. docs/observability.md says what each means
 * and which alert reads it.
 */

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function create() {
  const registry = new Registry();
  // Resident memory, heap, event-loop lag and open handles, labelled `process_*` and `nodejs_*`.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    saveSeconds: new Histogram({
      name: 'propagate_save_duration_seconds',
      help: 'A save or rollback, from the request to its answer (commit, push and audit).',
      labelNames: ['outcome'] as const,
      buckets: SECONDS,
      registers,
    }),
    pushSeconds: new Histogram({
      name: 'propagate_push_duration_seconds',
      help: 'One push of a version to the primary cache and its outbox mark.',
      labelNames: ['outcome'] as const,
      buckets: SECONDS,
      registers,
    }),
    arrivalSeconds: new Histogram({
      name: 'propagate_arrival_seconds',
      help: 'From the commit of a version to its arrival in a region (measured by the worker).',
      labelNames: ['region', 'method'] as const,
      buckets: SECONDS,
      registers,
    }),
    outboxDepth: new Gauge({
      name: 'propagate_outbox_depth',
      help: 'Versions committed to MongoDB that the primary cache does not hold yet.',
      registers,
    }),
    outboxOldestSeconds: new Gauge({
      name: 'propagate_outbox_oldest_age_seconds',
      help: 'Age of the oldest version still waiting to be pushed (0 when the outbox is empty).',
      registers,
    }),
    openWatches: new Gauge({
      name: 'propagate_open_watches',
      help: 'Long-poll waits and event streams open now in this process.',
      labelNames: ['kind'] as const,
      registers,
    }),
    watches: new Counter({
      name: 'propagate_watches_total',
      help: 'Long-poll waits and event streams asked for, by outcome (opened or refused at the cap).',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
    observerEvents: new Counter({
      name: 'propagate_observer_events_total',
      help: "The status observer's inputs: update messages, region scans, MongoDB reconciles.",
      labelNames: ['input'] as const,
      registers,
    }),
    statusFanoutSeconds: new Histogram({
      name: 'propagate_status_fanout_seconds',
      help: "From a change the status observer applied (an update message's arrival) to the app's every watcher having its event queued: the server's share of a status event's delay.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    instancesBehind: new Gauge({
      name: 'propagate_instances_behind',
      help: 'Service instances reporting a version older than the head, by region (recently changed apps).',
      labelNames: ['region'] as const,
      registers,
    }),
    instancesBehindSeconds: new Gauge({
      name: 'propagate_instances_behind_max_seconds',
      help: 'How long the instance that has been behind the longest has been behind, by region.',
      labelNames: ['region'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof create>;

// One registry per process, however many chunks Next bundles this module into.
const globalForMetrics = globalThis as unknown as { propagateMetrics?: Metrics };

export function metrics(): Metrics {
  return (globalForMetrics.propagateMetrics ??= create());
}

/** Seconds since `started` (a `performance.now()` reading). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
