import type { Metadata } from 'next';
import { OperationCard, type OperationView } from '@/components/api-reference/operation-card';
import { Prose } from '@/components/api-reference/prose';
import { SchemaCard } from '@/components/api-reference/schema-card';
import { Badge } from '@/components/ui/badge';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { problemTypes, problemTypeUri } from '@/lib/api/problem';

export const metadata: Metadata = { title: 'API reference' };

/** The OpenAPI document, rendered: the same object /api/openapi.json serves. */
export default function ApiReferencePage() {
  const doc = buildOpenApiDocument();
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      ...(op as Omit<OperationView, 'method' | 'path'> & { tags: string[] }),
      method,
      path,
    })),
  );
  return (
    <>
      <PageHeader
        title="API reference"
        description={doc.info.summary}
        actions={
          <>
            <Badge>version {doc.info.version}</Badge>
            <a
              href="/api/openapi.json"
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
            >
              OpenAPI document (JSON)
            </a>
          </>
        }
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Getting started" />
          <CardBody>
            <Prose text={doc.info.description.split('\n\n').slice(0, 2).join('\n\n')} />
            <pre className="mt-4 overflow-x-auto rounded-md bg-slate-900 p-4 text-xs leading-5 text-slate-100">
              {`# A pipeline step: save a config from your repository and wait until every region has it
export PROPAGATE_URL=<this dashboard's address> PROPAGATE_TOKEN=prp_...
npx propagate push <app-id> login.json -m "Deploy $GIT_SHA" --wait --timeout 60s

# The same over HTTP
curl -H "Authorization: Bearer $PROPAGATE_TOKEN" $PROPAGATE_URL/api/apps/<app-id>/config -i   # note the ETag
curl -X PUT -H "Authorization: Bearer $PROPAGATE_TOKEN" -H 'If-Match: "v7"' \\
     -H 'Content-Type: application/json' --data '{"config": {...}, "message": "why"}' \\
     $PROPAGATE_URL/api/apps/<app-id>/config`}
            </pre>
          </CardBody>
        </Card>

        {doc.tags.map((tag) => (
          <Card key={tag.name}>
            <CardHeader title={tag.name} description={tag.description} />
            <div>
              {operations
                .filter((op) => op.tags.includes(tag.name))
                .map((op) => (
                  <OperationCard key={op.operationId} op={op} />
                ))}
            </div>
          </Card>
        ))}

        <Card>
          <CardHeader
            title="Problems"
            description="Every error is application/problem+json; its type is one of these."
          />
          <ul className="divide-y divide-slate-100">
            {(Object.keys(problemTypes) as (keyof typeof problemTypes)[]).map((type) => {
              const uri = problemTypeUri(type);
              return (
                <li key={type} id={uri.split('#')[1]} className="scroll-mt-6 px-5 py-3 text-sm">
                  <code className="font-mono text-xs text-slate-800">{uri}</code>
                  <span className="ml-3 text-slate-600">{problemTypes[type]}</span>
                </li>
              );
            })}
          </ul>
        </Card>

        <Card>
          <CardHeader
            title="Schemas"
            description="Generated from the same zod schemas that validate requests and encode answers."
          />
          <div>
            {Object.entries(doc.components.schemas).map(([name, schema]) => (
              <SchemaCard key={name} name={name} schema={schema} />
            ))}
          </div>
        </Card>
      </div>
    </>
  );
}
