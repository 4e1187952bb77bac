/**
 * How many sign-in attempts are let through to the password check, and when. Pure: the Redis
 * store (sign-in-limiter.ts) runs the same rules in a Lua script, and the in-memory stand-in
 * used while the primary is down runs them here.
 *
 * Every attempt is counted *before* the password is checked, atomically, so parallel requests
 * cannot all slip in between a read of the counter and its increment. A correct password gives
 * the attempt back. Instead of locking an account (which lets anyone keep an admin out), the
 * limits are per account-and-IP with delays that double, per IP across accounts, and per
 * account across IPs, where an IP this account signed in from before is not held back.
 */

export interface Rule {
  /** Attempts let through without any delay. */
  free: number;
  /** After `free`, the next attempt waits baseMs, then twice that, and so on up to maxDelayMs. */
  baseMs: number;
  maxDelayMs: number;
  /** No more attempts than this in a window (0: no cap beyond the delays). */
  cap: number;
}

export const WINDOW_MS = 15 * 60 * 1000;
/** How long a successful sign-in keeps an IP "known" for its account. */
export const KNOWN_IP_MS = 30 * 24 * 60 * 60 * 1000;

export const rules = {
  /** One guesser at one account: five tries, then 1 s, 2 s, 4 s … between tries, ten at most. */
  pair: { free: 5, baseMs: 1_000, maxDelayMs: WINDOW_MS, cap: 10 },
  /** One IP across accounts (password spraying). */
  ip: { free: 30, baseMs: 0, maxDelayMs: 0, cap: 30 },
  /** One account across IPs (a distributed guesser); known IPs are not held back by it. */
  account: { free: 20, baseMs: 1_000, maxDelayMs: 5 * 60 * 1000, cap: 0 },
} as const satisfies Record<string, Rule>;

/** The most attempts one IP can have checked against one account's password in a burst. */
export const BURST_CHECKED = rules.pair.free;

export interface Counter {
  n: number;
  /** No attempt before this instant (ms). */
  next: number;
  expiresAt: number;
}

export type Reservation =
  { ok: true } | { ok: false; retryAfterMs: number; firstRefusalInWindow: boolean };

/**
 * One attempt's script touches an IP's, an account's and a pair's keys together, so on a Redis
 * Cluster they must share a slot: the `{signin}` hash tag puts every limiter key in one slot
 * (sign-ins are few; one slot carries them easily).
 */
export function limiterKeys(email: string, ip: string | null) {
  const who = ip ?? 'unknown';
  return {
    pair: `propagate:{signin}:pair:${email}|${who}`,
    ip: `propagate:{signin}:ip:${who}`,
    account: `propagate:{signin}:account:${email}`,
    known: `propagate:{signin}:known:${email}|${who}`,
    refusalAudited: `propagate:{signin}:refused:${email}|${who}`,
  };
}

/** "try again in 3 seconds" / "in 2 minutes": a wait as a person reads it. */
export function waitText(seconds: number): string {
  const [n, unit] = seconds < 60 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function delayAfter(rule: Rule, n: number): number {
  return n < rule.free ? 0 : Math.min(rule.baseMs * 2 ** (n - rule.free), rule.maxDelayMs);
}

/** The in-memory stand-in: the same decision as the Lua script, over a Map. */
export class MemoryLimits {
  private counters = new Map<string, Counter>();
  private marks = new Map<string, number>();

  reserve(email: string, ip: string | null, now = Date.now()): Reservation {
    if (this.counters.size > 10_000) this.prune(now);
    const keys = limiterKeys(email, ip);
    const known = (this.marks.get(keys.known) ?? 0) > now;
    const applied = (['pair', 'ip', 'account'] as const).filter((r) => !(r === 'account' && known));
    let wait = 0;
    for (const name of applied) {
      const c = this.live(keys[name], now);
      if (!c) continue;
      if (rules[name].cap > 0 && c.n >= rules[name].cap) wait = Math.max(wait, c.expiresAt - now);
      if (c.next > now) wait = Math.max(wait, c.next - now);
    }
    if (wait > 0) {
      const first = (this.marks.get(keys.refusalAudited) ?? 0) <= now;
      if (first) this.marks.set(keys.refusalAudited, now + WINDOW_MS);
      return { ok: false, retryAfterMs: wait, firstRefusalInWindow: first };
    }
    for (const name of applied) {
      const n = (this.live(keys[name], now)?.n ?? 0) + 1;
      const delay = delayAfter(rules[name], n);
      this.counters.set(keys[name], {
        n,
        next: delay ? now + delay : 0,
        expiresAt: now + WINDOW_MS,
      });
    }
    return { ok: true };
  }

  succeeded(email: string, ip: string | null, now = Date.now()): void {
    const keys = limiterKeys(email, ip);
    this.counters.delete(keys.pair);
    for (const key of [keys.ip, keys.account]) {
      const c = this.live(key, now);
      if (c) c.n = Math.max(0, c.n - 1);
    }
    this.marks.set(keys.known, now + KNOWN_IP_MS);
  }

  private prune(now: number): void {
    for (const [key, c] of this.counters) if (c.expiresAt <= now) this.counters.delete(key);
    for (const [key, until] of this.marks) if (until <= now) this.marks.delete(key);
  }

  private live(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (c && c.expiresAt <= now) this.counters.delete(key);
    return c && c.expiresAt > now ? c : undefined;
  }
}
