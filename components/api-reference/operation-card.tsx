import { FieldsTable } from '@/components/api-reference/fields-table';
import { InlineText, Prose } from '@/components/api-reference/prose';
import { typeLabel, type JsonSchema } from '@/components/api-reference/schema-type';
import { TypeLink } from '@/components/api-reference/type-link';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Td } from '@/components/ui/table';

export interface OperationView {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  parameters: {
    name: string;
    in: string;
    required: boolean;
    description?: string;
    schema: JsonSchema;
  }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: JsonSchema }> }
  >;
}

const methodTones: Record<string, BadgeTone> = { get: 'info', put: 'warning', post: 'success' };

function bodyType(content: Record<string, { schema: JsonSchema }> | undefined) {
  const first = content && Object.values(content)[0];
  return first ? typeLabel(first.schema) : null;
}

export function OperationCard({ op }: { op: OperationView }) {
  const request = bodyType(op.requestBody?.content);
  return (
    <article
      id={op.operationId}
      className="scroll-mt-6 border-t border-slate-200 px-5 py-5 first:border-t-0"
    >
      <h3 className="flex flex-wrap items-center gap-3">
        <Badge tone={methodTones[op.method] ?? 'neutral'} className="font-mono uppercase">
          {op.method}
        </Badge>
        <code className="font-mono text-sm font-semibold text-slate-900">{op.path}</code>
        <span className="text-sm text-slate-500">{op.summary}</span>
      </h3>
      <div className="mt-3 max-w-4xl">
        <Prose text={op.description} />
      </div>
      {op.parameters.length > 0 && (
        <FieldsTable
          className="mt-4"
          caption={`Parameters of ${op.operationId}`}
          columns={['Parameter', 'In', 'Type', 'Description']}
          fields={op.parameters}
          keyOf={(p) => `${p.in}-${p.name}`}
        >
          {(p) => (
            <>
              <Td className="text-xs">{p.in}</Td>
              <Td>
                <TypeLink label={typeLabel(p.schema)} />
              </Td>
            </>
          )}
        </FieldsTable>
      )}
      <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[8rem_1fr]">
        {request && (
          <>
            <dt className="font-medium text-slate-700">Request body</dt>
            <dd>
              <TypeLink label={request} />
            </dd>
          </>
        )}
        {Object.entries(op.responses).map(([status, response]) => {
          const type = bodyType(response.content);
          return (
            <div key={status} className="contents">
              <dt className="font-mono text-slate-700">{status}</dt>
              <dd className="text-slate-600">
                {type && (
                  <>
                    <TypeLink label={type} />
                    {' — '}
                  </>
                )}
                <InlineText text={response.description} />
              </dd>
            </div>
          );
        })}
      </dl>
    </article>
  );
}
