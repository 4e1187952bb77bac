import 'server-only';
import { diffConfigs, type ConfigChange } from '@/lib/config-diff';
import type { AppDoc, ConfigVersionDoc } from '@/lib/db/collections';
import { getVersion } from '@/lib/db/config-versions';
import { defaultConfig, type ConfigInput } from '@/lib/schemas/config';
import { maskSecrets, mergeSecrets, type MaskedConfig } from '@/lib/secrets';

/**
 * What an editor is told when someone else saved first: who, when, what they changed since the
 * version the editor started from, and what the editor's own save would have changed. The head's
 * config comes masked, so the editor can re-apply its changes on top of it without a secret
 * ever reaching the browser.
 */
export interface ConfigConflict {
  head: {
    version: number;
    authorName: string;
    createdAt: Date;
    message: string;
    config: MaskedConfig;
  };
  baseVersion: number;
  theirChanges: ConfigChange[];
  yourChanges: ConfigChange[];
}

/**
 * `yours` may still hold "unchanged" secret markers: they are resolved against the base, which
 * is what they meant. Secrets never appear in the diffs either way.
 */
export async function buildConflict({
  app,
  baseVersion,
  head,
  yours,
}: {
  app: Pick<AppDoc, '_id' | 'name'>;
  baseVersion: number;
  head: ConfigVersionDoc;
  yours: ConfigInput;
}): Promise<ConfigConflict> {
  const base = baseVersion > 0 ? await getVersion(app._id, baseVersion) : null;
  const baseData = base?.data ?? defaultConfig(app.name);
  const merged = mergeSecrets(yours, baseData);
  return {
    head: {
      version: head.version,
      authorName: head.author.name,
      createdAt: head.createdAt,
      message: head.message,
      config: maskSecrets(head.data),
    },
    baseVersion,
    theirChanges: diffConfigs(baseData, head.data),
    yourChanges: diffConfigs(baseData, merged.ok ? merged.data : yours),
  };
}

/** The action result for a save or rollback that did not start from the current head. */
export async function conflictResult(args: Parameters<typeof buildConflict>[0]) {
  return {
    status: 'conflict' as const,
    conflict: await buildConflict(args),
    message: `Someone else saved v${args.head.version} while you were editing. Nothing of yours was saved.`,
  };
}
