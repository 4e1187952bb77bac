import 'server-only';
import type { Redis } from 'ioredis';
import type { Principal } from '@/lib/auth/principal';
import { onAuthChange, type AuthSubject } from '@/lib/db/auth-changes';
import { errorFields, log } from '@/lib/log';
import { closeSubscriber, openSubscriber, redisFor } from '@/lib/redis/clients';
import { primaryRegion } from '@/lib/regions';

/**
 * Who is calling, kept for a few seconds per server process, so that a status read (polled by
 * hundreds of dashboards and pipelines) verifies its token or session without a MongoDB read.
 *
 * Taking access away reaches it promptly: every write that revokes a token, disables a user,
 * changes a role or ends sessions announces it (lib/db/auth-changes.ts); this process drops the
 * entries at once and publishes the change on AUTH_CHANNEL on the primary, where every other
 * process hears it within milliseconds. Entries live at most AUTH_CACHE_TTL_MS in any case (a
 * process that missed the message, a write made outside Propagate), and nothing is cached while
 * this process is not subscribed, so a lost subscription cannot stretch the delay. Only reads
 * use the cache: a write always checks MongoDB.
 */

export const AUTH_CHANNEL = 'propagate:auth-changes';
export const AUTH_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  subjects: AuthSubject[];
  expiresAt: number;
  /** Tokens: when its last use was written (a write per minute, as without the cache). */
  lastUsedAt: number | null;
}

interface AuthCacheState {
  entries: Map<string, Entry>;
  /** Lookups under way: callers presenting the same credential at once share one. */
  loading: Map<string, Promise<Loaded | null>>;
  /** Bumped by every change: a lookup that started before one must not store its answer. */
  generation: number;
  subscriber: Redis | null;
}

const globalForAuthCache = globalThis as unknown as { propagateAuthCache?: AuthCacheState };

function state(): AuthCacheState {
  globalForAuthCache.propagateAuthCache ??= {
    entries: new Map(),
    loading: new Map(),
    generation: 0,
    subscriber: null,
  };
  return globalForAuthCache.propagateAuthCache;
}

function drop(subject: AuthSubject): void {
  const s = state();
  s.generation += 1;
  // A lookup under way may have read the state before the change: later callers start anew.
  s.loading.clear();
  for (const [key, entry] of s.entries) {
    if (entry.subjects.some((t) => t.kind === subject.kind && t.id === subject.id)) {
      s.entries.delete(key);
    }
  }
}

function dropAll(): void {
  const s = state();
  s.generation += 1;
  s.loading.clear();
  s.entries.clear();
}

function parseSubject(raw: string): AuthSubject | null {
  try {
    const value = JSON.parse(raw) as Partial<AuthSubject>;
    const kinds: AuthSubject['kind'][] = ['token', 'user', 'session'];
    if (value.kind && kinds.includes(value.kind) && typeof value.id === 'string') {
      return { kind: value.kind, id: value.id };
    }
  } catch {
    // Not ours: ignored.
  }
  return null;
}

/** Subscribed and ready: only then may an answer be kept. Opens the subscription on first use. */
function listening(): boolean {
  const s = state();
  if (!s.subscriber) {
    const client = openSubscriber(primaryRegion(), 'auth');
    client.on('error', () => {});
    client.on('message', (channel: string, raw: string) => {
      if (channel !== AUTH_CHANNEL) return;
      const subject = parseSubject(raw);
      if (subject) drop(subject);
    });
    // Messages sent while the connection was down are lost: forget everything on each (re)connect.
    client.on('ready', dropAll);
    client.on('close', dropAll);
    client.subscribe(AUTH_CHANNEL).catch(() => {});
    s.subscriber = client;
  }
  return s.subscriber.status === 'ready';
}

type Loaded = { principal: Principal; subjects: AuthSubject[]; lastUsedAt?: number | null };

/**
 * The principal for `key`, from the cache while fresh, else from `load` (stored if allowed).
 * Concurrent lookups of one key share one load: a crowd of dashboards arriving at once, or
 * right after a restart, costs MongoDB one read per credential, not one per request.
 */
export async function cachedPrincipal(
  key: string,
  load: () => Promise<Loaded | null>,
  onHit?: (entry: { principal: Principal; lastUsedAt: number | null }) => number | null,
): Promise<Principal | null> {
  const s = state();
  const now = Date.now();
  const cached = s.entries.get(key);
  if (cached && cached.expiresAt > now && listening()) {
    if (onHit) cached.lastUsedAt = onHit(cached);
    return cached.principal;
  }
  if (cached) s.entries.delete(key);
  const generation = s.generation;
  let loading = s.loading.get(key);
  if (!loading) {
    const started = load();
    loading = started;
    s.loading.set(key, started);
    void started
      .finally(() => {
        if (s.loading.get(key) === started) s.loading.delete(key);
      })
      .catch(() => {});
  }
  const found = await loading;
  if (!found) return null;
  if (listening() && s.generation === generation) {
    if (s.entries.size >= MAX_ENTRIES) {
      const oldest = s.entries.keys().next().value;
      if (oldest !== undefined) s.entries.delete(oldest);
    }
    s.entries.set(key, {
      principal: found.principal,
      subjects: found.subjects,
      expiresAt: now + AUTH_CACHE_TTL_MS,
      lastUsedAt: found.lastUsedAt ?? null,
    });
  }
  return found.principal;
}

/** Drops what this process holds about the subject and tells every other process. */
async function announce(subject: AuthSubject): Promise<void> {
  drop(subject);
  try {
    await redisFor(primaryRegion()).publish(AUTH_CHANNEL, JSON.stringify(subject));
  } catch (error) {
    // The other processes' entries expire within AUTH_CACHE_TTL_MS regardless.
    log.warn({ kind: subject.kind, ...errorFields(error) }, 'auth change not announced');
  }
}

onAuthChange('auth-cache', announce);

/** Stops listening (tests, shutdown); the next cached lookup subscribes again. */
export async function closeAuthCache(): Promise<void> {
  const s = state();
  const client = s.subscriber;
  s.subscriber = null;
  dropAll();
  if (client) await closeSubscriber(client);
}
