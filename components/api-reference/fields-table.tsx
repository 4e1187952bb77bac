import type { ReactNode } from 'react';
import { InlineText } from '@/components/api-reference/prose';
import { cn } from '@/lib/cn';
import { Table, Td, Tr } from '@/components/ui/table';

interface NamedField {
  name: string;
  required: boolean;
  description?: string | null | undefined;
}

/**
 * The reference's table of named fields (an operation's parameters, a schema's properties):
 * the name, starred when a request must carry it, the caller's own cells, then the description.
 */
export function FieldsTable<F extends NamedField>({
  caption,
  columns,
  fields,
  keyOf = (field) => field.name,
  className,
  children,
}: {
  caption: string;
  /** Every column's heading, the name's first and the description's last. */
  columns: string[];
  fields: F[];
  keyOf?: (field: F) => string;
  className?: string;
  /** The cells between the name and the description. */
  children: (field: F) => ReactNode;
}) {
  return (
    <div className={cn('overflow-hidden rounded-md border border-slate-200', className)}>
      <Table caption={caption} columns={columns}>
        <tbody>
          {fields.map((field) => (
            <Tr key={keyOf(field)}>
              <Td className="font-mono text-xs whitespace-nowrap">
                {field.name}
                {field.required && (
                  <span className="ml-1 text-red-600" title="required">
                    *
                  </span>
                )}
              </Td>
              {children(field)}
              <Td className="text-xs">
                <InlineText text={field.description ?? ''} />
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
