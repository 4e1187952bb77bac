import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Badge } from '@/components/ui/badge';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { TimeAgo } from '@/components/ui/time-ago';
import { AutoRefresh } from '@/components/webhooks/auto-refresh';
import { WebhooksNotPermitted } from '@/components/webhooks/webhooks-not-permitted';
import { DeliveriesTable, type DeliveryRow } from '@/components/webhooks/deliveries-table';
import { EndpointControls } from '@/components/webhooks/endpoint-controls';
import { can } from '@/lib/auth/principal';
import { NotFoundError } from '@/lib/errors';
import { listDeliveries, loadEvents } from '@/lib/db/webhook-deliveries';
import { getWebhookEndpoint } from '@/lib/db/webhook-endpoints';
import { webhookEndpointIdSchema, webhookEventLabels } from '@/lib/schemas/webhooks';
import { requirePageUser } from '@/lib/session/current';

export const metadata: Metadata = { title: 'Webhook endpoint' };

function versionOf(body: string | undefined): number | null {
  if (!body) return null;
  const data = (JSON.parse(body) as { data?: { version?: unknown } }).data;
  return typeof data?.version === 'number' ? data.version : null;
}

export default async function WebhookEndpointPage({
  params,
}: {
  params: Promise<{ endpointId: string }>;
}) {
  const user = await requirePageUser();
  if (!can(user, 'webhooks:manage') || !user.tenantId) {
    return <WebhooksNotPermitted />;
  }
  const parsed = webhookEndpointIdSchema.safeParse((await params).endpointId);
  if (!parsed.success) notFound();
  const tenantId = user.tenantId;
  const endpoint = await getWebhookEndpoint(tenantId, parsed.data).catch((error: unknown) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  const deliveries = await listDeliveries({ tenantId, endpointId: endpoint._id });
  const events = await loadEvents([...new Set(deliveries.map((d) => d.eventId))]);
  const rows: DeliveryRow[] = deliveries.map((d) => {
    const last = d.attempts.at(-1);
    return {
      id: d._id,
      eventId: d.eventId,
      eventType: d.eventType,
      appId: d.appId,
      version: versionOf(events.get(d.eventId)?.body),
      status: d.status,
      attemptCount: d.attemptCount,
      responseCode: last?.responseCode ?? null,
      error: last?.error ?? null,
      latencyMs: last?.latencyMs ?? null,
      nextAttemptAt: d.nextAttemptAt,
      createdAt: d.createdAt,
      attempts: d.attempts,
    };
  });
  const [current, ...previous] = endpoint.secrets;
  return (
    <>
      <PageHeader
        breadcrumb={
          <Link href="/webhooks" className="hover:underline">
            Webhooks
          </Link>
        }
        title={<span className="break-all">{endpoint.url}</span>}
        description={endpoint.description || undefined}
      />
      <AutoRefresh busy={deliveries.some((d) => d.status === 'pending')} />
      <div className="space-y-6">
        <Card>
          <CardHeader
            title="Endpoint"
            actions={
              endpoint.enabled ? (
                <Badge tone="success" dot>
                  Enabled
                </Badge>
              ) : (
                <Badge tone="neutral">Disabled</Badge>
              )
            }
          />
          <CardBody className="space-y-4">
            <dl className="grid gap-3 text-sm sm:grid-cols-3">
              <div>
                <dt className="font-medium text-slate-800">Events</dt>
                <dd className="text-slate-600">
                  {endpoint.eventTypes.map((t) => webhookEventLabels[t]).join(', ')}
                </dd>
              </div>
              <div>
                <dt className="font-medium text-slate-800">Apps</dt>
                <dd className="text-slate-600">
                  {endpoint.appIds.length === 0
                    ? 'All apps, including new ones'
                    : endpoint.appIds.join(', ')}
                </dd>
              </div>
              <div>
                <dt className="font-medium text-slate-800">Signing secret</dt>
                <dd className="text-slate-600">
                  {current ? (
                    <>
                      Created <TimeAgo date={current.createdAt} />
                    </>
                  ) : (
                    'None'
                  )}
                  {previous.map((s, i) =>
                    s.expiresAt ? (
                      <div key={i} className="text-xs">
                        Previous one signs until <TimeAgo date={s.expiresAt} />
                      </div>
                    ) : null,
                  )}
                </dd>
              </div>
            </dl>
            <EndpointControls
              endpointId={endpoint._id}
              url={endpoint.url}
              enabled={endpoint.enabled}
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Deliveries"
            description="Newest first. A failed attempt is retried with growing pauses; Resend sends the same event (same id) again now."
          />
          <DeliveriesTable
            endpointId={endpoint._id}
            endpointEnabled={endpoint.enabled}
            rows={rows}
          />
        </Card>
      </div>
    </>
  );
}
