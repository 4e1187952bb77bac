import type { MigrationStatusJson } from '@/lib/query/migration';

export type Migration = NonNullable<MigrationStatusJson['migration']>;

/** What every step's panel is given: the page's status, the migration, and whether it may act. */
export interface PanelProps {
  data: MigrationStatusJson;
  m: Migration;
  canRun: boolean;
}
