import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/card';
import { Table, Td, Tr } from '@/components/ui/table';
import { TimeAgo } from '@/components/ui/time-ago';
import { DeliveryStatus } from '@/components/webhooks/delivery-status';
import type { WebhookDeliveryDoc } from '@/lib/db/collections';
import type { WebhookEndpointSummary } from '@/lib/db/webhook-endpoints';

export function EndpointsTable({
  endpoints,
  latest,
}: {
  endpoints: WebhookEndpointSummary[];
  latest: Map<string, WebhookDeliveryDoc>;
}) {
  if (endpoints.length === 0) {
    return (
      <EmptyState title="No endpoints yet">
        Add one above to be told when configuration is saved, reaches every region, or a region
        falls behind.
      </EmptyState>
    );
  }
  return (
    <Table
      caption="Webhook endpoints of your account"
      columns={['Endpoint', 'Events', 'Apps', 'Status', 'Last delivery']}
    >
      <tbody>
        {endpoints.map((endpoint) => {
          const last = latest.get(endpoint._id);
          return (
            <Tr key={endpoint._id}>
              <Td className="max-w-sm">
                <Link
                  href={`/webhooks/${endpoint._id}`}
                  className="font-medium break-all text-brand-700 hover:underline"
                >
                  {endpoint.url}
                </Link>
                {endpoint.description && (
                  <div className="text-xs text-slate-500">{endpoint.description}</div>
                )}
              </Td>
              <Td>
                <div className="flex max-w-xs flex-wrap gap-1">
                  {endpoint.eventTypes.map((type) => (
                    <code key={type} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">
                      {type}
                    </code>
                  ))}
                </div>
              </Td>
              <Td>{endpoint.appIds.length === 0 ? 'All apps' : endpoint.appIds.join(', ')}</Td>
              <Td>
                {endpoint.enabled ? (
                  <Badge tone="success" dot>
                    Enabled
                  </Badge>
                ) : (
                  <Badge tone="neutral">Disabled</Badge>
                )}
              </Td>
              <Td>
                {last ? (
                  <div className="space-y-0.5">
                    <DeliveryStatus delivery={last} endpointEnabled={endpoint.enabled} />
                    <div className="text-xs text-slate-500">
                      {last.eventType} · <TimeAgo date={last.createdAt} />
                    </div>
                  </div>
                ) : (
                  <span className="text-slate-500">None yet</span>
                )}
              </Td>
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}
