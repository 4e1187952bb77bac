import { Badge, type BadgeTone } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/card';
import { Table, Td, Tr } from '@/components/ui/table';
import { formatValue } from '@/components/config-diff/format-value';
import type { ConfigChange } from '@/lib/config-diff';

const kinds: Record<ConfigChange['kind'], { label: string; tone: BadgeTone }> = {
  added: { label: 'Added', tone: 'success' },
  removed: { label: 'Removed', tone: 'danger' },
  changed: { label: 'Changed', tone: 'info' },
};

/** A readable table of config changes; secrets show as "changed", never with a value. */
export function ChangeTable({
  changes,
  caption,
  emptyTitle = 'No differences',
}: {
  changes: readonly ConfigChange[];
  caption: string;
  emptyTitle?: string;
}) {
  if (changes.length === 0) return <EmptyState title={emptyTitle} />;
  return (
    <Table caption={caption} columns={['Setting', 'Change', 'Before', 'After']}>
      <tbody>
        {changes.map((change, i) => (
          <Tr key={`${change.path}-${change.kind}-${i}`}>
            <Td className="font-medium text-slate-900">{change.label}</Td>
            <Td>
              <Badge tone={kinds[change.kind].tone}>{kinds[change.kind].label}</Badge>
            </Td>
            {change.secret ? (
              <Td colSpan={2} className="text-slate-500 italic">
                Secret {change.kind === 'changed' ? 'replaced' : change.kind}; its value is never
                shown.
              </Td>
            ) : (
              <>
                <Td className="break-words text-slate-500">
                  {change.kind === 'added' ? (
                    '—'
                  ) : (
                    <del className="decoration-red-300">
                      {formatValue(change.path, change.before)}
                    </del>
                  )}
                </Td>
                <Td className="break-words text-slate-900">
                  {change.kind === 'removed' ? (
                    '—'
                  ) : (
                    <ins className="no-underline">{formatValue(change.path, change.after)}</ins>
                  )}
                </Td>
              </>
            )}
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
