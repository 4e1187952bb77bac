import { FieldsTable } from '@/components/api-reference/fields-table';
import { propertyRows, type JsonSchema } from '@/components/api-reference/schema-type';
import { TypeLink } from '@/components/api-reference/type-link';
import { Td } from '@/components/ui/table';

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
        <FieldsTable
          className="mt-3"
          caption={`Fields of ${name}`}
          columns={['Field', 'Type', 'Description']}
          fields={rows}
        >
          {(row) => (
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
          )}
        </FieldsTable>
      )}
    </article>
  );
}
