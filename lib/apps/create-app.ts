import 'server-only';
import type { z } from 'zod';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { getAppForPrincipalOrThrow, insertApp } from '@/lib/db/apps';
import { readHead } from '@/lib/db/heads';
import { fieldInvalid, formInvalid, type ActionResult } from '@/lib/results';
import type { createAppSchema } from '@/lib/schemas/app';
import { defaultConfig, type AppConfig } from '@/lib/schemas/config';
import { withNewSecrets } from '@/lib/secrets';
import {
  commitNextVersion,
  type CommittedVersion,
  type VersionRequest,
} from '@/lib/versions/commit-next-version';
import type { ConfigConflict } from '@/lib/versions/conflict';

export type CreateAppResult = ActionResult<CommittedVersion, ConfigConflict>;

/** The starting configuration: the template, or a copy whose secrets are all newly entered. */
async function startingConfig({
  principal,
  input,
}: VersionRequest<z.output<typeof createAppSchema>>): Promise<
  { config: AppConfig; origin: string } | Extract<CreateAppResult, { status: 'invalid' }>
> {
  if (!input.copyFrom) return { config: defaultConfig(input.name), origin: 'the template' };
  // Same check as every read: another tenant's app is "not found".
  const source = await getAppForPrincipalOrThrow(principal, input.copyFrom);
  const head = await readHead(source._id);
  if (!head) return formInvalid(`${source.name} has no configuration to copy yet.`);
  const copied = withNewSecrets(head.data, input.secrets);
  if (!copied.ok) {
    return {
      status: 'invalid',
      fieldErrors: Object.fromEntries(
        Object.entries(copied.fieldErrors).map(([path, errors]) => [`secrets.${path}`, errors]),
      ),
      message: 'Enter the new app’s own secrets: they are never copied.',
    };
  }
  return { config: copied.data, origin: `a copy of ${source.name} v${head.version}` };
}

/**
 * A new app in the caller's own tenant, starting from the template or from a copy of one of the
 * tenant's apps. A copy never carries secrets over: the caller enters the new app's own, one per
 * secret the source holds. Version 1 is committed and pushed like any save.
 */
export async function createAppFor(
  request: VersionRequest<z.output<typeof createAppSchema>>,
): Promise<CreateAppResult> {
  const { principal, meta, input } = request;
  const tenantId = requireOwnTenant(principal);
  const start = await startingConfig(request);
  if ('status' in start) return start;

  const app = await insertApp({
    id: input.id,
    tenantId,
    name: input.name,
    description: input.description,
  });
  if (!app) {
    return fieldInvalid(
      'id',
      'This id is taken. App ids are unique across Propagate; choose another.',
    );
  }
  return commitNextVersion({
    principal,
    meta,
    input: { appId: app._id, baseVersion: 0 },
    propose: () => ({
      yours: start.config,
      resolve: () => ({ data: start.config }),
      sameAsHead: () => 'This app already has a configuration.',
      message: `Created from ${start.origin}`,
      audit: {
        action: 'app.created',
        summary: () => `created “${app.name}” (${app._id}) from ${start.origin}`,
        details: { copyFrom: input.copyFrom || null },
      },
      done: (version) => `Created ${app.name} as v${version}`,
    }),
  });
}
