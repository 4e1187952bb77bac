import 'server-only';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import { primaryRedis } from '@/lib/redis/clients';

/**
 * Failed sign-ins are counted per account and per IP on the primary Redis, so every Next server
 * shares the counts. If the primary is down, an in-memory limiter stands in (per server, but
 * never "no limit").
 */
const WINDOW_SECONDS = 15 * 60;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 30;

function limiter(keyPrefix: string, points: number) {
  return new RateLimiterRedis({
    storeClient: primaryRedis(),
    keyPrefix: `propagate:signin:${keyPrefix}`,
    points,
    duration: WINDOW_SECONDS,
    blockDuration: WINDOW_SECONDS,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({
      points,
      duration: WINDOW_SECONDS,
      blockDuration: WINDOW_SECONDS,
    }),
  });
}

const globalForLimiter = globalThis as unknown as {
  propagateSignInLimiters?: { account: RateLimiterRedis; ip: RateLimiterRedis };
};
function limiters() {
  return (globalForLimiter.propagateSignInLimiters ??= {
    account: limiter('account', MAX_FAILURES_PER_ACCOUNT),
    ip: limiter('ip', MAX_FAILURES_PER_IP),
  });
}

/** Seconds until the next attempt is allowed, or 0. Checked before the password is. */
export async function signInBlockedFor(email: string, ip: string | null): Promise<number> {
  const { account, ip: byIp } = limiters();
  const [a, i] = await Promise.all([account.get(email), ip ? byIp.get(ip) : null]);
  const blocked = [a, i].filter((r): r is RateLimiterRes => !!r && r.remainingPoints <= 0);
  return blocked.length ? Math.ceil(Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000) : 0;
}

export async function recordSignInFailure(email: string, ip: string | null): Promise<void> {
  const { account, ip: byIp } = limiters();
  // consume() rejects once the points are spent; that rejection is the block, not an error.
  await Promise.allSettled([account.consume(email), ip ? byIp.consume(ip) : Promise.resolve()]);
}

export async function clearSignInFailures(email: string): Promise<void> {
  await limiters()
    .account.delete(email)
    .catch(() => {});
}
