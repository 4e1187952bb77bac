import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { operations } from '@/lib/api/operations';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `/api/apps/{appId}/config` → `app/api/apps/[appId]/config/route.ts`. */
function routeFile(apiPath: string): string {
  return path.join(ROOT, 'app', apiPath.replace(/\{(\w+)\}/g, '[$1]'), 'route.ts');
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (checked offline by a maintained validator)', async () => {
    const document = buildOpenApiDocument();
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('is rejected when broken, so the validation above can fail', async () => {
    const broken = structuredClone(buildOpenApiDocument()) as unknown as {
      paths: Record<string, Record<string, { responses?: unknown; parameters?: unknown[] }>>;
    };
    const get = broken.paths['/api/apps/{appId}']?.get;
    if (!get) throw new Error('no GET /api/apps/{appId}');
    get.parameters = []; // a path template without its parameter
    const result = await validate(broken as never);
    expect(result.valid).toBe(false);
  });

  it('describes every field from the zod schemas: the config, problems with field paths', () => {
    const { components, paths } = buildOpenApiDocument();
    const config = components.schemas.AppConfig as { properties: Record<string, unknown> };
    expect(Object.keys(config.properties)).toEqual(
      expect.arrayContaining(['signIn', 'mfa', 'sessions', 'urls', 'webhooks']),
    );
    const problem = components.schemas.Problem as { properties: Record<string, unknown> };
    expect(Object.keys(problem.properties)).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'errors', 'theirChanges']),
    );
    const put = paths['/api/apps/{appId}/config']?.put as {
      parameters: { name: string; in: string; required: boolean }[];
      responses: Record<string, unknown>;
    };
    expect(put.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
      ]),
    );
    expect(Object.keys(put.responses)).toEqual(
      expect.arrayContaining(['200', '412', '422', '428']),
    );
  });

  it('describes the propagation event stream and every event notification', () => {
    const { paths, webhooks, components } = buildOpenApiDocument();
    const stream = paths['/api/apps/{appId}/propagation/events']?.get as {
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    };
    expect(stream.responses['200']?.content?.['text/event-stream']?.schema).toEqual({
      $ref: '#/components/schemas/PropagationStreamEvent',
    });
    const event = components.schemas.PropagationStreamEvent as {
      properties: { event: { enum: string[] } };
    };
    expect(event.properties.event.enum).toEqual(['status', 'head', 'region', 'arrival', 'tick']);
    expect(Object.keys(webhooks).sort()).toEqual([
      'config.converged',
      'config.pushed',
      'config.rolled_back',
      'config.saved',
      'region.lagging',
      'region.recovered',
    ]);
    const converged = webhooks['config.converged']?.post;
    if (!converged) throw new Error('no config.converged webhook');
    expect(converged.parameters.map((p) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(JSON.stringify(converged.requestBody)).toContain('ConfigConvergedEvent');
    expect(components.schemas).toHaveProperty('ConfigConvergedEvent');
  });

  it('has a route handler for every operation', () => {
    for (const op of Object.values(operations)) {
      const file = routeFile(op.path);
      expect(existsSync(file), `${op.method.toUpperCase()} ${op.path}: ${file}`).toBe(true);
      // The propagation routes predate the contract; rest-api.int.test.ts decodes their answers.
      expect(readFileSync(file, 'utf8'), `${op.name} in ${file}`).toMatch(
        new RegExp(`export const ${op.method.toUpperCase()} = define(Api)?Route\\(`),
      );
    }
  });
});
