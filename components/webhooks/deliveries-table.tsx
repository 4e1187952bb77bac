'use client';

import { useEffect } from 'react';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/card';
import { Table, Td, Tr } from '@/components/ui/table';
import { TimeAgo } from '@/components/ui/time-ago';
import { useToast } from '@/components/ui/toast';
import { DeliveryStatus } from '@/components/webhooks/delivery-status';
import { useFormAction } from '@/components/ui/use-form-action';
import { resendWebhookDelivery } from '@/lib/actions/resend-webhook-delivery';

/** A delivery as the log shows it (dates cross to the browser as they are). */
export interface DeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  appId: string;
  version: number | null;
  status: 'pending' | 'delivered' | 'failed';
  attemptCount: number;
  responseCode: number | null;
  error: string | null;
  latencyMs: number | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  attempts: { at: Date; responseCode: number | null; latencyMs: number; error: string | null }[];
}

function ResendButton({ endpointId, row }: { endpointId: string; row: DeliveryRow }) {
  const toast = useToast();
  const { state, action, pending } = useFormAction(resendWebhookDelivery);
  useEffect(() => {
    if (state.status === 'ok') toast(state.message, 'success');
    if (state.status === 'error' || state.status === 'invalid') toast(state.message, 'error');
    // Only a new result should toast.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <form action={action}>
      <input type="hidden" name="endpointId" value={endpointId} />
      <input type="hidden" name="deliveryId" value={row.id} />
      <Button
        type="submit"
        variant="ghost"
        size="sm"
        pending={pending}
        aria-label={`Resend ${row.eventType} for ${row.appId}`}
      >
        Resend
      </Button>
    </form>
  );
}

export function DeliveriesTable({
  endpointId,
  endpointEnabled,
  rows,
}: {
  endpointId: string;
  endpointEnabled: boolean;
  rows: DeliveryRow[];
}) {
  if (rows.length === 0) {
    return (
      <EmptyState title="No deliveries yet">
        Each event this endpoint asked for appears here as it is sent: save a configuration to see
        the first one.
      </EmptyState>
    );
  }
  return (
    <Table
      caption="Deliveries to this endpoint, newest first"
      columns={['Event', 'Status', 'Response', 'Latency', 'Attempts', 'Next retry', 'Created']}
      actions
    >
      <tbody>
        {rows.map((row) => (
          <Tr key={row.id}>
            <Td>
              <code className="text-xs font-medium text-slate-900">{row.eventType}</code>
              <div className="text-xs text-slate-500">
                {row.appId}
                {row.version !== null && ` v${row.version}`} ·{' '}
                <span className="font-mono">{row.eventId}</span>
              </div>
            </Td>
            <Td>
              <DeliveryStatus
                delivery={{ status: row.status, attemptCount: row.attemptCount }}
                endpointEnabled={endpointEnabled}
              />
            </Td>
            <Td>
              {row.responseCode !== null ? (
                <span className="font-mono">{row.responseCode}</span>
              ) : row.error ? (
                <span className="text-xs text-red-700">{row.error}</span>
              ) : (
                <span className="text-slate-400">—</span>
              )}
            </Td>
            <Td>{row.latencyMs !== null ? `${row.latencyMs} ms` : '—'}</Td>
            <Td>
              {row.attempts.length > 0 ? (
                <details>
                  <summary className="cursor-pointer">{row.attemptCount}</summary>
                  <ol className="mt-1 space-y-0.5 text-xs text-slate-600">
                    {row.attempts.map((a, i) => (
                      <li key={i}>
                        <TimeAgo date={a.at} />: {a.responseCode ?? a.error ?? '—'} · {a.latencyMs}{' '}
                        ms
                      </li>
                    ))}
                  </ol>
                </details>
              ) : (
                row.attemptCount
              )}
            </Td>
            <Td>
              {row.status === 'pending' && row.nextAttemptAt && row.attemptCount > 0 ? (
                <TimeAgo date={row.nextAttemptAt} />
              ) : (
                <span className="text-slate-400">—</span>
              )}
            </Td>
            <Td>
              <TimeAgo date={row.createdAt} />
            </Td>
            <Td className="text-right">
              <ResendButton endpointId={endpointId} row={row} />
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
