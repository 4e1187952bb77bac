/**
 * The OpenAPI 3.1 document, generated from the operations (lib/api/operations.ts) and their zod
 * schemas with zod's own JSON Schema output: nothing here describes a field by hand.
 */
import { z } from 'zod';
import { API_VERSION, operations, type ApiOperation } from '@/lib/api/operations';
import { problemTypes, problemTypeUri } from '@/lib/api/problem';
import { problemSchema } from '@/lib/schemas/api';
import {
  webhookEventDescriptions,
  webhookEventLabels,
  webhookEventTypes,
  webhookPayloadSchema,
} from '@/lib/schemas/webhooks';

type JsonSchema = Record<string, unknown>;

const REF_PREFIX = '#/components/schemas/';

const options = {
  target: 'draft-2020-12',
  // Requests and answers are described as they travel: a date is a string on the wire.
  io: 'input',
  unrepresentable: 'any',
} as const;

/** A named schema is a `$ref` to its component; others are inlined, with refs to components. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `${REF_PREFIX}${id}` };
  const { $schema: _s, $defs: _d, ...rest } = z.toJSONSchema(schema, options) as JsonSchema;
  // Named schemas nested inside come out as local $defs; components hold them all already.
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"${REF_PREFIX}`)) as JsonSchema;
}

/** Every named schema (`.meta({ id })`) becomes a component, referenced by `$ref`. */
function components(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    ...options,
    uri: (id) => `${REF_PREFIX}${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]),
  );
}

function parameters(schema: z.ZodType, location: 'path' | 'query') {
  const object = jsonSchema(schema) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (object.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: `${REF_PREFIX}Problem` } } },
});

const commonProblems: Record<number, string> = {
  400: 'The path or query did not validate (`errors` names the fields).',
  401: 'No token, or a malformed, unknown or revoked one.',
  403: 'The token or role does not allow this operation.',
  404: 'No such app or version for this caller (another tenant’s is not found either).',
  500: 'An unexpected failure; nothing was changed.',
};

const extraProblems: Record<number, string> = {
  409: 'A request with the same Idempotency-Key is still running.',
  412: 'If-Match names an older version: the answer has the current version and what changed since yours. Nothing was saved.',
  415: 'The body is not JSON.',
  422: 'The input did not validate: `errors` lists each field by its path in the config (and as a JSON Pointer into the body). Also: an Idempotency-Key reused for another request.',
  428: 'If-Match is missing.',
  429: 'Too many concurrent waits; retry after `Retry-After` seconds.',
};

function operationObject(op: ApiOperation) {
  const headers: Record<string, unknown> = {};
  if (op.etag || op.conditional) {
    headers.ETag = {
      description: 'The version as an entity tag, like "v7".',
      schema: { type: 'string' },
    };
  }
  const params = [
    ...parameters(op.params, 'path'),
    ...parameters(op.query, 'query'),
    ...(op.conditional
      ? [
          {
            name: 'If-Match',
            in: 'header',
            required: true,
            description: 'The ETag of the version the change starts from, like "v7".',
            schema: { type: 'string', pattern: '^"v[0-9]+"$' },
          },
        ]
      : []),
    ...(op.etag
      ? [
          {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            description: 'An ETag the caller holds: an unchanged head answers 304.',
            schema: { type: 'string' },
          },
        ]
      : []),
    ...(op.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'A unique key per logical request (a UUID): a retry with the same key and body gets the first answer again (`Idempotent-Replayed: true`) and writes nothing. Kept 24 hours.',
            schema: { type: 'string', minLength: 1, maxLength: 255 },
          },
        ]
      : []),
  ];
  const responses: Record<string, unknown> = {
    [op.success.status]: {
      description: op.success.description,
      ...(Object.keys(headers).length ? { headers } : {}),
      // A stream is described by its one event, as OpenAPI 3.1 has no schema for a sequence.
      content: {
        [op.stream ? 'text/event-stream' : 'application/json']: {
          schema: jsonSchema(op.success.schema),
        },
      },
    },
  };
  if (op.etag) responses[304] = { description: 'Not modified: the head is still the one named.' };
  for (const status of [...Object.keys(commonProblems).map(Number), ...(op.problems ?? [])]) {
    responses[status] = problemResponse(commonProblems[status] ?? extraProblems[status] ?? '');
  }
  return {
    operationId: op.name,
    tags: [op.tag],
    summary: op.summary,
    description: `${op.description}\n\nNeeds the \`${op.permission}\` permission (a ${op.permission === 'config:edit' ? 'read-write' : 'read or read-write'} token).`,
    parameters: params,
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(op.body) } },
          },
        }
      : {}),
    responses,
  };
}

const signatureHeaders = [
  {
    name: 'webhook-id',
    description:
      'The event’s id: the same on every retry and resend, so handle each id once (`evt_…`).',
  },
  {
    name: 'webhook-timestamp',
    description: 'When this attempt was sent, in seconds since the epoch; refuse old ones.',
  },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64>` signatures: HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint’s secret (the base64 after `whsec_`). During a secret rotation there is one per secret; accept the request if any matches.',
  },
].map((h) => ({ ...h, in: 'header', required: true, schema: { type: 'string' } }));

/** What Propagate sends to endpoints an account admin registers (Standard Webhooks). */
function webhooks() {
  return Object.fromEntries(
    webhookEventTypes.map((type) => [
      type,
      {
        post: {
          operationId: `event-${type.replace('.', '-')}`,
          tags: ['Event notifications'],
          summary: webhookEventLabels[type],
          description: `${webhookEventDescriptions[type]}\n\nSent to every enabled endpoint of the account that chose \`${type}\` (and the app, if it names apps).`,
          security: [],
          parameters: signatureHeaders,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(webhookPayloadSchema(type)) } },
          },
          responses: {
            '2XX': { description: 'Taken. The event is not sent again unless someone resends it.' },
            default: {
              description:
                'Any other answer, or none within the timeout (10 s), is retried with exponential backoff and jitter, up to 12 attempts.',
            },
          },
        },
      },
    ]),
  );
}

export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of Object.values(operations) as ApiOperation[]) {
    (paths[op.path] ??= {})[op.method] = operationObject(op);
  }
  // Problems are reached by $ref only; naming the schema here keeps its module loaded.
  void problemSchema;
  const schemas = components();
  return {
    openapi: '3.1.1',
    info: {
      title: 'Propagate API',
      version: API_VERSION,
      summary: 'Read and save application configuration, and follow it to every region.',
      description: [
        'Authenticate with an API token from the dashboard’s API tokens page: `Authorization: Bearer prp_…`. A read token reads; a read-write token may also save and roll back.',
        'Writes are conditional: read the `ETag` of `GET /api/apps/{appId}/config` and send it as `If-Match`. Errors are RFC 9457 problem details (`application/problem+json`).',
        `Problem types: ${Object.entries(problemTypes)
          .map(
            ([type, title]) =>
              `\`${problemTypeUri(type as keyof typeof problemTypes)}\` (${title})`,
          )
          .join('; ')}.`,
      ].join('\n\n'),
    },
    servers: [{ url: '/', description: 'This Propagate deployment' }],
    security: [{ bearerToken: [] }],
    tags: [
      { name: 'Apps', description: 'The apps a token may see.' },
      { name: 'Configuration', description: 'Read and save an app’s configuration.' },
      { name: 'History', description: 'Versions, differences and rollback.' },
      { name: 'Propagation', description: 'Where a version has reached: regions and servers.' },
      {
        name: 'Event notifications',
        description:
          'Requests Propagate sends to your endpoints (dashboard: Webhooks), signed with the Standard Webhooks scheme.',
      },
    ],
    paths,
    webhooks: webhooks(),
    components: {
      schemas,
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (`prp_…`), created by an account admin.',
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
