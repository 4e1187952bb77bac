import type { APIRequestContext } from '@playwright/test';

/**
 * The migration e2e's witnesses: a checker that samples every service instance every 50 ms
 * (one request in flight per instance, so answers cannot overtake each other) and a saver that
 * saves one app once a second through the REST API. Afterwards they say whether any instance
 * ever served an older version than it had served before, and how stale each sample was against
 * the head.
 */
export interface Sample {
  instanceId: string;
  at: number;
  version: number;
  deployment: string | null;
}

export interface Save {
  version: number;
  /** When MongoDB committed it (the version's createdAt, same machine clock): it became the head. */
  committedAt: number;
}

export function startChecker({
  instances,
  appId,
  intervalMs = 50,
}: {
  instances: { instanceId: string; url: string }[];
  appId: string;
  intervalMs?: number;
}) {
  const samples: Sample[] = [];
  const regressions: string[] = [];
  const last = new Map<string, number>();
  const busy = new Set<string>();
  let failures = 0;
  const sample = async (instance: { instanceId: string; url: string }) => {
    busy.add(instance.instanceId);
    try {
      const response = await fetch(`${instance.url}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await response.json()) as {
        apps: Record<string, { version?: number } | null>;
        cache?: { deployment: string };
      };
      const at = Date.now();
      const version = body.apps[appId]?.version;
      if (version === undefined) {
        failures += 1;
        return;
      }
      const before = last.get(instance.instanceId) ?? 0;
      if (version < before)
        regressions.push(
          `${instance.instanceId} served v${version} at ${new Date(at).toISOString()} after v${before}`,
        );
      last.set(instance.instanceId, Math.max(before, version));
      samples.push({
        instanceId: instance.instanceId,
        at,
        version,
        deployment: body.cache?.deployment ?? null,
      });
    } catch {
      failures += 1;
    } finally {
      busy.delete(instance.instanceId);
    }
  };
  const timer = setInterval(() => {
    for (const instance of instances) if (!busy.has(instance.instanceId)) void sample(instance);
  }, intervalMs);
  return {
    samples,
    regressions,
    failures: () => failures,
    stop: () => clearInterval(timer),
  };
}

/**
 * Saves `appId` once a second with a new display name, through PUT /api/apps/{appId}/config: one
 * request per save (the If-Match comes from the previous answer), so a slow server slows the
 * saves as little as possible. Commit times are read from the history at the end.
 */
export function startSaver({
  request,
  origin,
  appId,
  everyMs = 1_000,
}: {
  request: APIRequestContext;
  origin: string;
  appId: string;
  everyMs?: number;
}) {
  const versions: number[] = [];
  const errors: string[] = [];
  let stopped = false;
  const loop = async () => {
    const read = await request.get(`/api/apps/${appId}/config`);
    const head = (await read.json()) as { config: { branding: Record<string, unknown> } };
    let etag = read.headers().etag ?? '';
    for (let n = 1; !stopped; n += 1) {
      const started = Date.now();
      try {
        const saved = await request.put(`/api/apps/${appId}/config`, {
          headers: { 'if-match': etag, origin },
          data: {
            config: {
              ...head.config,
              branding: { ...head.config.branding, displayName: `Migration e2e ${n}` },
            },
            message: `migration e2e save ${n}`,
          },
        });
        if (!saved.ok()) errors.push(`save ${n}: ${saved.status()} ${await saved.text()}`);
        else {
          versions.push(((await saved.json()) as { version: number }).version);
          etag = saved.headers().etag ?? etag;
        }
      } catch (error) {
        if (!stopped) errors.push(`save ${n}: ${String(error)}`);
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, everyMs - (Date.now() - started))),
      );
    }
  };
  const running = loop();
  return {
    versions,
    errors,
    async stop() {
      stopped = true;
      await running;
    },
    /** Each saved version with the moment MongoDB committed it (the same machine's clock). */
    async saves(): Promise<Save[]> {
      const found: Save[] = [];
      const oldest = Math.min(...versions);
      let url: string | null = `/api/apps/${appId}/versions?limit=100`;
      while (url) {
        const page = (await (await request.get(url)).json()) as {
          items: { version: number; createdAt: string }[];
          next: string | null;
        };
        for (const v of page.items)
          if (versions.includes(v.version))
            found.push({ version: v.version, committedAt: Date.parse(v.createdAt) });
        url = page.items.some((v) => v.version <= oldest) ? null : page.next;
      }
      return found;
    },
  };
}

/**
 * Each sample's staleness against the head: how long a newer version than the one served had
 * been the head (0 when the instance served the head).
 */
export function stalenessOf(samples: readonly Sample[], saves: readonly Save[]): number[] {
  const sorted = [...saves].sort((a, b) => a.version - b.version);
  return samples.map((s) => {
    const newer = sorted.find((save) => save.version > s.version && save.committedAt <= s.at);
    return newer ? s.at - newer.committedAt : 0;
  });
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
