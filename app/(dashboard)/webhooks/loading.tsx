import { Card, CardHeader } from '@/components/ui/card';
import { SkeletonRows, Table } from '@/components/ui/table';

export default function WebhooksLoading() {
  return (
    <div aria-busy="true" aria-live="polite" className="space-y-6">
      <p className="sr-only">Loading webhooks…</p>
      <div className="h-8 w-48 animate-pulse rounded bg-slate-100" />
      <Card>
        <CardHeader title="Loading…" />
        <Table>
          <tbody>
            <SkeletonRows columns={5} />
          </tbody>
        </Table>
      </Card>
    </div>
  );
}
