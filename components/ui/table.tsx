import { cn } from '@/lib/cn';
import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from 'react';

/**
 * A table with its header row: one heading per column (a `false` column is left out, for columns
 * shown to some people only), and with `actions` a last column whose heading only screen readers
 * read. The rows come as children (`<tbody>`); without `columns`, the header too.
 */
export function Table({
  children,
  caption,
  columns,
  actions = false,
}: {
  children: ReactNode;
  caption?: string;
  columns?: (ReactNode | false)[];
  actions?: boolean;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        {caption && <caption className="sr-only">{caption}</caption>}
        {columns && (
          <thead>
            <tr>
              {columns
                .filter((column) => column !== false)
                .map((column, i) => (
                  <Th key={i}>{column}</Th>
                ))}
              {actions && (
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              )}
            </tr>
          </thead>
        )}
        {children}
      </table>
    </div>
  );
}

export function Th({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={cn(
        'bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase',
        className,
      )}
      {...props}
    />
  );
}

export function Td({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cn('px-4 py-3 align-top text-slate-700', className)} {...props} />;
}

export function Tr({ children, className }: { children: ReactNode; className?: string }) {
  return <tr className={cn('border-t border-slate-100', className)}>{children}</tr>;
}

/** Placeholder rows while a table's data loads, so the layout does not jump when it arrives. */
export function SkeletonRows({ rows = 4, columns }: { rows?: number; columns: number }) {
  return Array.from({ length: rows }, (_, i) => (
    <Tr key={i}>
      <Td colSpan={columns}>
        <div className="h-4 w-2/3 animate-pulse rounded bg-slate-100" />
      </Td>
    </Tr>
  ));
}
