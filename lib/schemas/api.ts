/**
 * The public REST API's request and response bodies. One schema per shape: route handlers encode
 * their answers with these (so nothing undocumented, such as a stored secret, can slip out), the
 * OpenAPI document is generated from them, and the `propagate` CLI decodes with them.
 *
 * Wire format: times are ISO 8601 strings (`Timestamp`), except in the propagation status, which
 * keeps the milliseconds the dashboard already reads.
 */
import { z } from 'zod';
import { regionStates } from '@/lib/model/region-states';
import { appIdSchema, versionSchema } from '@/lib/schemas/app';
import { historyQueryText } from '@/lib/schemas/history';
import { forcePushConfirmSchema } from '@/lib/schemas/propagation';
import { configInputSchema } from '@/lib/schemas/config';
import { rollbackSecretsSchema } from '@/lib/schemas/versions';

// ─────────────────────────────────────────── Building blocks ────────────────────────────────────

/** A Date in the server, an ISO 8601 string on the wire. */
export const timestampSchema = z
  .codec(z.iso.datetime({ offset: true }), z.date(), {
    decode: (text) => new Date(text),
    encode: (date) => date.toISOString(),
  })
  .meta({ id: 'Timestamp', description: 'An ISO 8601 date and time, UTC.' });

/** `next`: the URL of the following page, or null on the last one. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      next: z.string().nullable().meta({ description: 'The next page, or null on the last.' }),
    })
    .meta({ id });
}

export const limitSchema = z.coerce
  .number({ error: 'limit is a number' })
  .int({ error: 'limit is a whole number' })
  .min(1, { error: 'limit is at least 1' })
  .max(100, { error: 'limit is at most 100' })
  .default(20);

// ─────────────────────────────────────────────── Apps ───────────────────────────────────────────

export const authorSchema = z
  .object({ name: z.string(), email: z.string() })
  .meta({ id: 'Author', description: 'Who made a version: a person, or an API token by name.' });

/** Shown where a checksum was: see lib/fingerprint.ts. The field keeps its name. */
const fingerprintSchema = z.string().meta({
  description:
    'Keyed fingerprint of the config (HMAC-SHA256 with a server-side key, 16 hex digits): tells versions apart and says whether two regions hold the same one; not the cache’s checksum.',
});

export const versionSummarySchema = z
  .object({
    version: z.number().int().min(1),
    checksum: fingerprintSchema,
    message: z.string(),
    author: authorSchema,
    createdAt: timestampSchema,
    pushedAt: timestampSchema
      .nullable()
      .meta({ description: 'When the primary cache took it; null while the push is pending.' }),
    rollbackOf: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'The version this one restored, for a rollback.' }),
  })
  .meta({ id: 'VersionSummary' });

export const appSchema = z
  .object({
    id: appIdSchema,
    tenantId: z.string(),
    name: z.string(),
    description: z.string(),
    headVersion: z.number().int().min(0).meta({ description: '0 for an app without a config.' }),
    archivedAt: timestampSchema.nullable().meta({
      description: 'When the app was archived (read-only until restored); null if active.',
    }),
    lastChange: versionSummarySchema
      .pick({ version: true, author: true, createdAt: true, message: true, pushedAt: true })
      .nullable()
      .meta({ description: 'The newest version, or null for an app without a config.' }),
  })
  .meta({ id: 'App' });

export const appPageSchema = pageOf(appSchema, 'AppPage');

export const listAppsQuerySchema = z.object({
  limit: limitSchema,
  after: appIdSchema.optional().meta({ description: 'The last app id of the previous page.' }),
});

export const listVersionsQuerySchema = z.object({
  limit: limitSchema,
  before: versionSchema
    .optional()
    .meta({ description: 'Versions older than this one (the previous page’s last).' }),
  q: historyQueryText.optional().meta({
    description:
      'Search: a version number (`17`, `v17`) finds that version; other text finds versions whose message or author contains it (any case).',
  }),
});

export const versionPageSchema = pageOf(versionSummarySchema, 'VersionPage');

// ───────────────────────────────────────────── Configs ──────────────────────────────────────────

/** A stored or submitted config; in answers every secret reads "__unchanged__". */
export const apiConfigSchema = configInputSchema.meta({
  id: 'AppConfig',
  description:
    'An application’s login configuration. Secrets are write-only: answers carry "__unchanged__" in their place, and sending "__unchanged__" (or "") back keeps the stored secret.',
});

export const configDocumentSchema = versionSummarySchema
  .extend({ appId: appIdSchema, config: apiConfigSchema })
  .meta({ id: 'ConfigVersion' });

export const saveConfigBodySchema = z
  .object({
    config: z.unknown().meta({ $ref: '#/components/schemas/AppConfig' }),
    message: z.string().max(500).optional().meta({ description: 'A change message for history.' }),
  })
  .meta({ id: 'SaveConfigRequest' });

export const savedConfigSchema = z
  .object({
    appId: appIdSchema,
    version: z.number().int().min(1),
    changed: z
      .boolean()
      .meta({ description: 'false: the config equals the head, nothing was saved.' }),
    pushed: z.boolean().meta({
      description:
        'Whether the primary cache took this version; false while the worker retries the push.',
    }),
  })
  .meta({ id: 'SavedConfig' });

const secretPathSchema = z.string().meta({
  description:
    'A secret named by identity, never its value: `signIn.social.google.clientSecret`, `webhooks.orders.signingSecret`.',
});

export const rollbackBodySchema = z
  .strictObject({
    toVersion: z.number().int().min(1),
    note: z.string().max(500).optional(),
    secrets: rollbackSecretsSchema.default('keep').meta({
      description:
        'Secrets that changed since `toVersion` (rotated after a leak, say): `keep` the current values (the default, so a pipeline never brings an old secret back unasked) or `restore` the values of `toVersion`. A secret the current config does not hold (its webhook or provider is gone, or the client ID changed) comes back with `toVersion`’s value either way. `GET` on this path lists them first.',
    }),
  })
  .meta({ id: 'RollbackRequest' });

export const rolledBackSchema = savedConfigSchema
  .extend({
    toVersion: z.number().int().min(1),
    secrets: z
      .object({
        choice: rollbackSecretsSchema,
        kept: z.array(secretPathSchema).meta({
          description: 'Secrets that kept their current value instead of `toVersion`’s.',
        }),
        restored: z
          .array(secretPathSchema)
          .meta({ description: 'Secrets that now hold `toVersion`’s value.' }),
      })
      .meta({ id: 'RolledBackSecrets' }),
  })
  .meta({ id: 'RolledBack' });

export const rollbackReviewQuerySchema = z.object({
  toVersion: versionSchema.meta({ description: 'The version a rollback would go back to.' }),
});

export const rollbackReviewSchema = z
  .object({
    appId: appIdSchema,
    toVersion: z.number().int().min(1),
    headVersion: z.number().int().min(0).meta({
      description: 'The current version this review compares with; send it as `If-Match`.',
    }),
    secrets: z.array(
      z
        .object({
          path: secretPathSchema,
          label: z.string(),
          kind: z.enum(['changes-back', 'returns']).meta({
            description:
              '`changes-back`: the current value differs and would be replaced unless kept. `returns`: there is no current value to keep, so `toVersion`’s comes back.',
          }),
        })
        .meta({ id: 'RollbackSecret' }),
    ),
  })
  .meta({ id: 'RollbackReview' });

export const configChangeSchema = z
  .object({
    path: z
      .string()
      .meta({ description: 'Dotted path; list items by identity where they have one.' }),
    label: z.string(),
    kind: z.enum(['added', 'removed', 'changed']),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    secret: z.literal(true).optional().meta({ description: 'A secret changed; values omitted.' }),
  })
  .meta({ id: 'ConfigChange' });

export const diffQuerySchema = z.object({ from: versionSchema, to: versionSchema });

export const configDiffSchema = z
  .object({
    appId: appIdSchema,
    from: z.number().int(),
    to: z.number().int(),
    changes: z.array(configChangeSchema),
  })
  .meta({ id: 'ConfigDiff' });

export const versionParamsSchema = z.object({ appId: z.string(), version: versionSchema });

// ───────────────────────────────────────── Propagation ──────────────────────────────────────────

const ms = z.number().meta({ description: 'Milliseconds since the epoch.' });

export const stampSchema = z
  .object({
    version: z.number().int(),
    checksum: fingerprintSchema,
    committedAt: ms.nullable(),
    pushedAt: ms.nullable(),
  })
  .meta({ id: 'Stamp' });

export const regionStatusSchema = z
  .object({
    name: z.string(),
    role: z.enum(['primary', 'replica']),
    /** The cache deployment the region belongs to (during a migration, two are shown). */
    deployment: z.string(),
    stamp: stampSchema.nullable(),
    state: z.enum(regionStates),
    label: z.string(),
    explanation: z.string(),
    arrivedAt: ms.nullable(),
    timeToArriveMs: z.number().nullable(),
    method: z.enum(['pubsub', 'poll', 'stamp']).nullable(),
    unreachableSince: ms.nullable(),
    lastError: z.string().nullable(),
    roundTripMs: z.number().nullable(),
  })
  .meta({ id: 'RegionStatus' });

export const appPropagationSchema = z
  .object({
    appId: z.string(),
    head: z
      .object({
        version: z.number().int(),
        checksum: fingerprintSchema,
        committedAt: ms,
        pushedAt: ms.nullable(),
        archived: z
          .literal(true)
          .optional()
          .meta({ description: 'The head is the tombstone of an archived app.' }),
        divergedAt: ms
          .nullable()
          .meta({ description: 'When a push found this version with another checksum.' }),
        pushState: z.enum(['pushed', 'pending', 'diverged']).meta({
          description:
            '`pending`: the worker retries the push. `diverged`: the primary cache holds this version with another checksum; it stays until support forces a re-push (POST /api/apps/{appId}/force-push).',
        }),
      })
      .nullable(),
    regions: z.array(regionStatusSchema),
    allInSync: z.boolean(),
    lagBudgetMs: z.number(),
    checkedAt: ms,
    wait: z
      .object({ version: z.number().int(), converged: z.boolean(), waitedMs: z.number() })
      .optional()
      .meta({ description: 'Present when the request asked to wait for a version.' }),
  })
  .meta({ id: 'AppPropagation' });

/** The events of an app's propagation stream, most telling first (lib/propagation/status-events.ts). */
export const propagationStreamEvents = ['status', 'head', 'region', 'arrival', 'tick'] as const;

export const propagationStreamEventSchema = z
  .object({
    event: z.enum(propagationStreamEvents).meta({
      description:
        '`status`: the whole status, first on connect; `head`: a new version; `region`: a region changed state or version; `arrival`: an arrival time was measured; `tick`: only elapsed times moved (sent while a region is behind).',
    }),
    data: appPropagationSchema,
  })
  .meta({
    id: 'PropagationStreamEvent',
    description:
      'One Server-Sent Event: an `event:` line with the name, a `data:` line with the whole status as JSON, and a blank line. Comment lines (`: heartbeat`) keep the connection open every 15 s.',
  });

export const appInstancesSchema = z
  .object({
    appId: z.string(),
    head: z
      .object({
        version: z.number().int(),
        committedAt: ms,
        archived: z
          .boolean()
          .meta({ description: 'The head is the tombstone of an archived app.' }),
      })
      .nullable(),
    checkedAt: ms,
    reportsAvailable: z.boolean(),
    regions: z.array(
      z.object({
        region: z.string(),
        live: z.number().int(),
        onHead: z.number().int(),
        instances: z.array(
          z.object({
            instanceId: z.string(),
            state: z.enum(['current', 'behind', 'diverged', 'stopped']),
            version: z.number().int(),
            appliedAt: ms,
            reportedAt: ms,
            stalenessMs: z.number(),
            gone: z
              .boolean()
              .optional()
              .meta({ description: 'It stopped serving the archived app and reports it gone.' }),
            behindSince: ms.nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'AppInstances' });

// ───────────────────────────────────────────── Problems ─────────────────────────────────────────

export const fieldErrorSchema = z
  .object({
    path: z
      .string()
      .meta({ description: 'Dotted path in the config (or request), `_form` for all.' }),
    pointer: z.string().meta({ description: 'JSON Pointer into the request body.' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

/** RFC 9457 problem details, with our extensions for invalid input and conflicts. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(fieldErrorSchema).optional(),
    current: z
      .object({
        version: z.number().int(),
        authorName: z.string(),
        createdAt: timestampSchema,
        message: z.string(),
      })
      .optional()
      .meta({ description: 'On 412: the version the app holds now.' }),
    baseVersion: z.number().int().optional(),
    theirChanges: z.array(configChangeSchema).optional(),
    yourChanges: z.array(configChangeSchema).optional(),
    retryAfterSeconds: z.number().optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.input<typeof problemSchema>;

export const forcePushBodySchema = z
  .strictObject({
    version: z.number().int().min(1).meta({ description: 'The head version, as diverged.' }),
    confirm: forcePushConfirmSchema,
  })
  .meta({ id: 'ForcePushRequest' });

export const forcedPushSchema = z
  .object({ appId: appIdSchema, version: z.number().int(), pushedAt: timestampSchema })
  .meta({ id: 'ForcedPush' });
