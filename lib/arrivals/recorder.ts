import type { UpdateMessage } from '@/lib/contract/cache-layout';
import { arrivalKey, type NewArrival } from '@/lib/model/arrival';
import { sleep } from '@/lib/timing';

/** An arrival as measured now, in a region, by a message or by a poll of the stamp. */
export function arrivalOf(
  message: Pick<UpdateMessage, 'appId' | 'version' | 'committedAt'>,
  region: string,
  arrivedAt: Date,
  method: NewArrival['method'],
): NewArrival {
  return {
    appId: message.appId,
    version: message.version,
    region,
    committedAt: new Date(message.committedAt),
    arrivedAt,
    // Clocks of the committing server and the worker differ a little; never report a negative.
    latencyMs: Math.max(0, arrivedAt.getTime() - message.committedAt),
    method,
  };
}

/**
 * Arrival times are measured the moment a message comes in, but written to MongoDB in batches
 * and, while MongoDB is down, kept in memory (bounded) and written when it is back: an outage
 * loses no measurement unless it outlasts `maxPending` arrivals.
 */
export class ArrivalRecorder {
  private queue: NewArrival[] = [];
  private readonly queued = new Set<string>();
  private flushing: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(
    private readonly opts: {
      write: (batch: NewArrival[]) => Promise<unknown>;
      maxPending?: number;
      retryMs?: number;
      batchSize?: number;
      log?: (line: string) => void;
      /** Each new measurement, once (the arrival-time histogram). */
      onRecorded?: (arrival: NewArrival) => void;
    },
  ) {}

  record(arrival: NewArrival): void {
    const key = arrivalKey(arrival.appId, arrival.version, arrival.region);
    if (this.queued.has(key)) return; // the first measurement wins here too
    this.queued.add(key);
    this.queue.push(arrival);
    this.opts.onRecorded?.(arrival);
    const max = this.opts.maxPending ?? 50_000;
    if (this.queue.length > max) {
      const dropped = this.queue.splice(0, this.queue.length - max);
      for (const a of dropped) this.queued.delete(arrivalKey(a.appId, a.version, a.region));
      this.opts.log?.(
        `arrival buffer full: dropped ${dropped.length} oldest measurements (polling re-measures them)`,
      );
    }
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
  }

  /** Measured but not yet written: the poller must not race a pending pub/sub measurement. */
  has(appId: string, version: number, region: string): boolean {
    return this.queued.has(arrivalKey(appId, version, region));
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.opts.batchSize ?? 500);
      try {
        await this.opts.write(batch);
        this.queue.splice(0, batch.length);
        for (const a of batch) this.queued.delete(arrivalKey(a.appId, a.version, a.region));
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.opts.log?.(
          `recording ${batch.length} arrivals failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
        );
        await sleep(this.opts.retryMs ?? 1_000, this.stopping.signal);
      }
    }
  }

  /** Writes what is pending (one last attempt) and stops retrying. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.flushing;
    if (this.queue.length > 0) {
      await this.opts
        .write(this.queue)
        .catch(() => this.opts.log?.(`${this.queue.length} arrivals not written at shutdown`));
    }
  }
}
