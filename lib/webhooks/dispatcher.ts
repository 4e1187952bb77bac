import 'server-only';
import type { WebhookDeliveryDoc } from '@/lib/db/collections';
import { claimDueDeliveries, loadEvents, recordAttempt } from '@/lib/db/webhook-deliveries';
import { disabledEndpointIds, loadEndpointsForDelivery } from '@/lib/db/webhook-endpoints';
import { deliveriesQueued } from '@/lib/db/webhook-events';
import { log } from '@/lib/log';
import { sendAttempt, type AttemptResult } from '@/lib/webhooks/send';
import { signedHeaders } from '@/lib/webhooks/sign';
import type { UrlPolicy } from '@/lib/webhooks/url-guard';

export interface DispatcherOptions {
  policy: UrlPolicy;
  /** One attempt's whole exchange. */
  timeoutMs: number;
  /** The first retry's delay; each further one doubles, up to maxDelayMs, with jitter. */
  retryBaseMs: number;
  maxDelayMs?: number;
  /** Attempts per round before a delivery is marked failed (a resend starts a new round). */
  maxAttempts?: number;
  /** Attempts in flight at once in this process, over all endpoints. */
  concurrency?: number;
  /** Attempts in flight at once per endpoint: a slow endpoint holds only its own slots. */
  perEndpoint?: number;
  pollMs?: number;
  log?: (line: string) => void;
  random?: () => number;
}

/** Every line the dispatcher writes is a failure it retries; the worker passes its own log. */
const webhooksLog = log.child({ component: 'webhooks' });

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * base·2^(n-1) (capped), so receivers that failed together do not get retried together.
 */
export function retryDelayMs(
  failures: number,
  {
    retryBaseMs,
    maxDelayMs = 3_600_000,
    random = Math.random,
  }: Pick<DispatcherOptions, 'retryBaseMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(maxDelayMs, retryBaseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Sends due deliveries: claims them in MongoDB (so several workers share the work without
 * sending an attempt twice), signs each attempt, records the outcome and schedules the next
 * attempt. Each endpoint has its own slots, so a slow or failing endpoint delays only itself,
 * and nothing here is on the path of a save.
 */
export class WebhookDispatcher {
  private readonly opts: Required<DispatcherOptions>;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private total = 0;
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private again = false;
  private stopped = false;
  private readonly wake = () => void this.pump();

  constructor(options: DispatcherOptions) {
    this.opts = {
      maxDelayMs: 3_600_000,
      maxAttempts: 12,
      concurrency: 16,
      perEndpoint: 2,
      pollMs: 500,
      log: (line) => webhooksLog.warn(line),
      random: Math.random,
      ...options,
    };
  }

  start(): this {
    deliveriesQueued.on('queued', this.wake);
    this.timer = setInterval(this.wake, this.opts.pollMs);
    this.timer.unref();
    void this.pump();
    return this;
  }

  /** Stops claiming; attempts in flight finish (each is bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    deliveriesQueued.off('queued', this.wake);
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.running]);
  }

  /** Claims what this process has room for; runs again if woken meanwhile. */
  async pump(): Promise<void> {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        await this.claimAndSend();
      } while (this.again && !this.stopped);
    } catch (error) {
      this.opts.log(
        `claiming deliveries failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.pumping = false;
    }
  }

  private async claimAndSend(): Promise<void> {
    const room = this.opts.concurrency - this.total;
    if (room <= 0) return;
    const full = [...this.inFlight].filter(([, n]) => n >= this.opts.perEndpoint).map(([id]) => id);
    const claimed = await claimDueDeliveries({
      limit: room,
      leaseMs: this.opts.timeoutMs + 30_000,
      skipEndpoints: [...full, ...(await disabledEndpointIds())],
    });
    if (claimed.length === 0) return;
    const [events, endpoints] = await Promise.all([
      loadEvents([...new Set(claimed.map((d) => d.eventId))]),
      loadEndpointsForDelivery([...new Set(claimed.map((d) => d.endpointId))]),
    ]);
    const byId = new Map(endpoints.map((e) => [e._id, e]));
    for (const delivery of claimed) {
      const endpoint = byId.get(delivery.endpointId);
      const event = events.get(delivery.eventId);
      // Deleted meanwhile (endpoint), or expired (event): nothing to send, say so in the log.
      const attempt =
        endpoint && event
          ? () => {
              const now = Date.now();
              const keys = endpoint.secrets
                .filter((s) => !s.expiresAt || s.expiresAt.getTime() > now)
                .map((s) => s.key);
              return sendAttempt({
                url: endpoint.url,
                body: event.body,
                headers: signedHeaders({ id: event._id, body: event.body, keys, now }),
                policy: this.opts.policy,
                timeoutMs: this.opts.timeoutMs,
              });
            }
          : () =>
              Promise.resolve<AttemptResult>({
                responseCode: null,
                latencyMs: 0,
                error: 'the endpoint or the event no longer exists',
                ok: false,
              });
      this.track(delivery, attempt);
    }
    // Claimed as many as there was room for: there may be more due.
    if (claimed.length === room) this.again = true;
  }

  private track(delivery: WebhookDeliveryDoc, attempt: () => Promise<AttemptResult>): void {
    const endpointId = delivery.endpointId;
    this.inFlight.set(endpointId, (this.inFlight.get(endpointId) ?? 0) + 1);
    this.total += 1;
    const run = (async () => {
      const at = new Date();
      const result = await attempt();
      const failures = delivery.attemptCount - (delivery.roundStart ?? 0) + 1;
      const retry = !result.ok && failures < this.opts.maxAttempts;
      await recordAttempt({
        deliveryId: delivery._id,
        attempt: {
          at,
          responseCode: result.responseCode,
          latencyMs: result.latencyMs,
          error: result.error,
        },
        delivered: result.ok,
        nextAttemptAt: retry ? new Date(Date.now() + retryDelayMs(failures, this.opts)) : null,
      });
    })()
      .catch((error: unknown) =>
        this.opts.log(
          `recording an attempt of ${delivery._id} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => {
        this.total -= 1;
        const left = (this.inFlight.get(endpointId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(endpointId, left);
        else this.inFlight.delete(endpointId);
        this.running.delete(run);
        void this.pump();
      });
    this.running.add(run);
  }
}
