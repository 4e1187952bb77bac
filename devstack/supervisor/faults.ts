import { FAULT_ACTIONS, type FaultRequest, type FaultResult } from '../control';
import type { LinkProxy } from '../link-proxy';
import type { StackState } from '../state';
import type { ManagedRedis } from './stack-supervisor';

/** What a fault acts on: the stack's servers, the replicas' link proxies and its state. */
export interface FaultTarget {
  state: StackState;
  redis: Map<string, ManagedRedis>;
  proxies: Map<string, LinkProxy>;
  /** Starts a region's redis-server again on its port and data. */
  restart: (m: ManagedRedis) => Promise<void>;
  /** Logs and records a fault that took effect. */
  applied(result: FaultResult): void;
}

/** Applies one fault (latency, partition, heal, kill, revive) to one region of the stack. */
export async function applyFault(target: FaultTarget, request: FaultRequest): Promise<FaultResult> {
  const { region, action } = request;
  if (!FAULT_ACTIONS.includes(action))
    throw new Error(`unknown action ${String(action)}; use ${FAULT_ACTIONS.join(', ')}`);
  const m = target.redis.get(region);
  const proxy = target.proxies.get(region);
  if (!m && !proxy)
    throw new Error(
      `unknown region ${region}; this stack has ${[...target.redis.keys(), ...target.proxies.keys()].join(', ')}`,
    );
  // A region with only an access link (no redis-server here) takes latency, partition and heal.
  const record =
    target.state.replicas.find((r) => r.region === region) ??
    target.state.access?.find((a) => a.region === region);
  const done = (message: string): FaultResult => {
    const result = { region, action, message };
    target.applied(result);
    return result;
  };
  switch (action) {
    case 'latency': {
      if (!proxy || !record)
        throw new Error(`${region} is the primary: latency applies to a replica's link`);
      const ms = Number(request.ms);
      proxy.setDelay(ms);
      record.delayMs = ms;
      return done(`primary→replica delay now ${ms} ms`);
    }
    case 'partition':
    case 'heal': {
      if (!proxy || !record)
        throw new Error(`${region} is the primary: ${action} applies to a replica's link`);
      if (action === 'partition') proxy.partition();
      else proxy.heal();
      record.partitioned = proxy.partitioned;
      return done(
        action === 'partition'
          ? 'link held (nothing forwarded, nothing dropped)'
          : 'link forwarding again',
      );
    }
    case 'kill': {
      if (!m) throw new Error(`${region} has no redis-server here, only an access link`);
      return done(await killServer(m));
    }
    case 'revive': {
      if (!m) throw new Error(`${region} has no redis-server here, only an access link`);
      return done(await reviveServer(m, target.restart));
    }
  }
}

/** SIGKILLs a managed redis-server (no chance to save or say goodbye); says what it did. */
export async function killServer(m: ManagedRedis): Promise<string> {
  const child = m.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return 'already not running';
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
  return `redis-server pid ${child.pid} killed (SIGKILL)`;
}

/** Starts a killed redis-server again on its port and data; says what it did. */
export async function reviveServer(
  m: ManagedRedis,
  restart: (m: ManagedRedis) => Promise<void>,
): Promise<string> {
  if (m.child && m.child.exitCode === null && m.child.signalCode === null)
    return `already running (pid ${m.child.pid})`;
  await restart(m);
  return `redis-server started again on :${m.spec.port} (pid ${m.child?.pid})`;
}
