import 'server-only';

/**
 * Who may call is decided from MongoDB (tokens, users, sessions), and a server process may keep
 * the answer for a few seconds (lib/session/auth-cache.ts). Every write here that takes access
 * away or changes it announces what it touched, so caches drop it at once: in this process
 * directly, in the others through the broadcast the cache module registers. Kept on globalThis:
 * Next loads route handlers and server actions as separate module instances in one process.
 */

export type AuthSubject = { kind: 'token' | 'user' | 'session'; id: string };
type Listener = (subject: AuthSubject) => void | Promise<void>;

const globalForAuth = globalThis as unknown as {
  propagateAuthListeners?: Map<string, Listener>;
};

function listeners(): Map<string, Listener> {
  globalForAuth.propagateAuthListeners ??= new Map();
  return globalForAuth.propagateAuthListeners;
}

/** Registers (or replaces, after a reload) the listener named `name`. */
export function onAuthChange(name: string, listener: Listener): void {
  listeners().set(name, listener);
}

/** Resolves once every listener has handled it (the broadcast is sent); never throws. */
export async function authChanged(subject: AuthSubject): Promise<void> {
  await Promise.allSettled([...listeners().values()].map(async (listen) => listen(subject)));
}
