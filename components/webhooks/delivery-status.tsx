import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { WebhookDeliveryDoc } from '@/lib/db/collections';

/** What a delivery's state means to the person reading the log. */
export function deliveryState(
  delivery: Pick<WebhookDeliveryDoc, 'status' | 'attemptCount'>,
  endpointEnabled: boolean,
): { label: string; tone: BadgeTone } {
  if (delivery.status === 'delivered') return { label: 'Delivered', tone: 'success' };
  if (delivery.status === 'failed') return { label: 'Failed', tone: 'danger' };
  if (!endpointEnabled) return { label: 'Paused', tone: 'neutral' };
  return delivery.attemptCount > 0
    ? { label: 'Retrying', tone: 'warning' }
    : { label: 'Queued', tone: 'info' };
}

export function DeliveryStatus({
  delivery,
  endpointEnabled,
}: {
  delivery: Pick<WebhookDeliveryDoc, 'status' | 'attemptCount'>;
  endpointEnabled: boolean;
}) {
  const { label, tone } = deliveryState(delivery, endpointEnabled);
  return (
    <Badge tone={tone} dot>
      {label}
    </Badge>
  );
}
