import 'server-only';
import {
  KNOWN_IP_MS,
  limiterKeys,
  MemoryLimits,
  rules,
  WINDOW_MS,
  type Reservation,
} from '@/lib/session/sign-in-limits';
import { primaryRedis } from '@/lib/redis/clients';

/**
 * The sign-in limits (sign-in-limits.ts) on the primary Redis, so every Next server shares the
 * counts. Reserving is one Lua script: it checks every limit and counts the attempt in one step,
 * before the password is checked. If the primary is down, an in-memory copy of the same rules
 * stands in (per server, but never "no limit").
 *
 * KEYS  pair, ip, account, known, refusalAudited
 * ARGV  window ms, then free, baseMs, maxDelayMs, cap for pair, ip and account
 * Returns {1} when reserved, {0, retryAfterMs, firstRefusalInWindow} when refused.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local applied = {1, 2}
if redis.call('EXISTS', KEYS[4]) == 0 then applied[3] = 3 end
local function rule(i)
  local o = 1 + (i - 1) * 4
  return tonumber(ARGV[o + 1]), tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 4])
end
local wait = 0
for _, i in ipairs(applied) do
  local _, _, _, cap = rule(i)
  local state = redis.call('HMGET', KEYS[i], 'n', 'next')
  local n, nextAt = tonumber(state[1] or '0'), tonumber(state[2] or '0')
  if cap > 0 and n >= cap then wait = math.max(wait, redis.call('PTTL', KEYS[i])) end
  if nextAt > now then wait = math.max(wait, nextAt - now) end
end
if wait > 0 then
  local first = redis.call('SET', KEYS[5], '1', 'PX', window, 'NX')
  return {0, wait, first and 1 or 0}
end
for _, i in ipairs(applied) do
  local free, base, maxDelay = rule(i)
  local n = redis.call('HINCRBY', KEYS[i], 'n', 1)
  local nextAt = 0
  if n >= free then nextAt = math.floor(now + math.min(base * 2 ^ (n - free), maxDelay)) end
  redis.call('HSET', KEYS[i], 'next', nextAt)
  redis.call('PEXPIRE', KEYS[i], window)
end
return {1}
`;

/** A correct password: the pair starts over, the IP and account get the attempt back. */
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if redis.call('EXISTS', KEYS[i]) == 1 and tonumber(redis.call('HGET', KEYS[i], 'n')) > 0 then
    redis.call('HINCRBY', KEYS[i], 'n', -1)
  end
end
redis.call('SET', KEYS[4], '1', 'PX', ARGV[1])
return 1
`;

const globalForLimiter = globalThis as unknown as { propagateSignInMemory?: MemoryLimits };
const memory = () => (globalForLimiter.propagateSignInMemory ??= new MemoryLimits());

function keysOf(email: string, ip: string | null): string[] {
  const k = limiterKeys(email, ip);
  return [k.pair, k.ip, k.account, k.known, k.refusalAudited];
}

/** Counts this attempt if every limit allows it; call before checking the password. */
export async function reserveSignInAttempt(email: string, ip: string | null): Promise<Reservation> {
  const args = [
    WINDOW_MS,
    ...[rules.pair, rules.ip, rules.account].flatMap((r) => [
      r.free,
      r.baseMs,
      r.maxDelayMs,
      r.cap,
    ]),
  ];
  let reply: unknown;
  try {
    reply = await primaryRedis().eval(RESERVE, 5, ...keysOf(email, ip), ...args);
  } catch {
    return memory().reserve(email, ip);
  }
  const [ok, wait, first] = reply as number[];
  return ok === 1
    ? { ok: true }
    : { ok: false, retryAfterMs: wait ?? WINDOW_MS, firstRefusalInWindow: first === 1 };
}

export async function signInSucceeded(email: string, ip: string | null): Promise<void> {
  memory().succeeded(email, ip);
  await primaryRedis()
    .eval(SUCCEEDED, 5, ...keysOf(email, ip), KNOWN_IP_MS)
    .catch(() => {});
}
