import { InlineText } from '@/components/api-reference/prose';
import { propertyRows, type JsonSchema } from '@/components/api-reference/schema-type';
import { TypeLink } from '@/components/api-reference/type-link';
import { Table, Td, Tr } from '@/components/ui/table';

/** One named schema: its fields, with inline objects folded as their JSON Schema. */
export function SchemaCard({ name, schema }: { name: string; schema: JsonSchema }) {
  const rows = propertyRows(schema);
  return (
    <article
      id={`schema-${name}`}
      className="scroll-mt-6 border-t border-slate-200 px-5 py-4 first:border-t-0"
    >
      <h3 className="font-mono text-sm font-semibold text-slate-900">{name}</h3>
      {typeof schema.description === 'string' && (
        <p className="mt-1 text-sm text-slate-600">{schema.description}</p>
      )}
      {rows.length === 0 ? (
        <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs text-slate-700">
          {JSON.stringify(schema, null, 2)}
        </pre>
      ) : (
        <div className="mt-3 overflow-hidden rounded-md border border-slate-200">
          <Table caption={`Fields of ${name}`} columns={['Field', 'Type', 'Description']}>
            <tbody>
              {rows.map((row) => (
                <Tr key={row.name}>
                  <Td className="font-mono text-xs whitespace-nowrap">
                    {row.name}
                    {row.required && (
                      <span className="ml-1 text-red-600" title="required">
                        *
                      </span>
                    )}
                  </Td>
                  <Td>
                    <TypeLink label={row.type} />
                    {row.nested && (
                      <details className="mt-1">
                        <summary className="cursor-pointer text-xs text-slate-500">fields</summary>
                        <pre className="mt-1 max-h-72 overflow-auto rounded bg-slate-50 p-2 text-[0.7rem] text-slate-700">
                          {JSON.stringify(row.nested, null, 2)}
                        </pre>
                      </details>
                    )}
                  </Td>
                  <Td className="text-xs">
                    <InlineText text={row.description ?? ''} />
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
    </article>
  );
}
