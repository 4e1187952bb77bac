import { queryOptions } from '@tanstack/react-query';
import type { MigrationStatus } from '@/lib/deployments/migration-status';
import { fetchJson } from '@/lib/query/query-client';

/** What JSON makes of a server value: dates arrive as ISO strings. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

export type MigrationStatusJson = Jsonified<MigrationStatus>;

export const migrationKeys = { all: ['migration'] as const };

export const migrationQuery = (target?: string) =>
  queryOptions({
    queryKey: [...migrationKeys.all, target ?? null],
    queryFn: () =>
      fetchJson<MigrationStatusJson>(
        `/api/migration${target ? `?target=${encodeURIComponent(target)}` : ''}`,
      ),
    // Progress, the diff and the cut-over move every second while a migration runs.
    refetchInterval: 1_000,
  });
