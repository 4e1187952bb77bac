import 'server-only';
import type { z } from 'zod';
import type { ActionResult } from '@/lib/results';
import { parseConfigInput } from '@/lib/schemas/config';
import type { saveConfigSchema } from '@/lib/schemas/versions';
import { mergeSecrets } from '@/lib/secrets';
import {
  commitNextVersion,
  type CommittedVersion,
  type VersionRequest,
} from '@/lib/versions/commit-next-version';
import type { ConfigConflict } from '@/lib/versions/conflict';

export type SaveConfigResult = ActionResult<CommittedVersion, ConfigConflict>;

const NOT_SAVED = 'Some settings need your attention. Nothing was saved.';

/**
 * Saves an edited configuration as the app's next version. Field errors come back keyed by the
 * config's dotted paths (`urls.redirectUrls.2`); a save that started from an older version is
 * refused with what changed meanwhile. Results never carry a secret.
 */
export function saveNextVersion(
  request: VersionRequest<z.output<typeof saveConfigSchema>>,
): Promise<SaveConfigResult> {
  const { config, message } = request.input;
  return commitNextVersion({
    ...request,
    propose: () => {
      const parsed = parseConfigInput(config);
      if (!parsed.ok) {
        return {
          status: 'invalid',
          fieldErrors: parsed.formError
            ? { ...parsed.fieldErrors, _form: [parsed.formError] }
            : parsed.fieldErrors,
          message: parsed.formError ?? NOT_SAVED,
        };
      }
      return {
        yours: parsed.data,
        resolve: (head) => {
          const merged = mergeSecrets(parsed.data, head);
          return merged.ok
            ? merged
            : { status: 'invalid', fieldErrors: merged.fieldErrors, message: NOT_SAVED };
        },
        sameAsHead: (v) => `Nothing changed: this is the same as v${v}.`,
        message,
        audit: { action: 'config.saved' },
        done: (version) => `Saved as v${version}`,
      };
    },
  });
}
