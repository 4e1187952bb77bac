import type { Metadata } from 'next';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { AutoRefresh } from '@/components/webhooks/auto-refresh';
import { WebhooksNotPermitted } from '@/components/webhooks/webhooks-not-permitted';
import { CreateEndpointForm } from '@/components/webhooks/create-endpoint-form';
import { EndpointsTable } from '@/components/webhooks/endpoints-table';
import { can } from '@/lib/auth/principal';
import { listAppOptions } from '@/lib/db/apps';
import { latestDeliveries } from '@/lib/db/webhook-deliveries';
import { listWebhookEndpoints } from '@/lib/db/webhook-endpoints';
import { requirePageUser } from '@/lib/session/current';

export const metadata: Metadata = { title: 'Webhooks' };

export default async function WebhooksPage() {
  const user = await requirePageUser();
  if (!can(user, 'webhooks:manage') || !user.tenantId) {
    return <WebhooksNotPermitted />;
  }
  const tenantId = user.tenantId;
  const [endpoints, apps] = await Promise.all([
    listWebhookEndpoints(tenantId),
    listAppOptions(user),
  ]);
  const latest = await latestDeliveries(
    tenantId,
    endpoints.map((e) => e._id),
  );
  const busy = [...latest.values()].some((d) => d.status === 'pending');
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Propagate tells your systems when configuration is saved, when it has reached every region and every server, and when a region falls behind or catches up. Each notification is signed (Standard Webhooks) and retried until your endpoint takes it."
      />
      <AutoRefresh busy={busy} />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Add an endpoint" />
          <CardBody>
            <CreateEndpointForm
              apps={apps.filter((a) => !a.archived).map((a) => ({ id: a.id, name: a.name }))}
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Endpoints"
            description="Open one to see its deliveries, resend one, disable it or rotate its secret."
          />
          <EndpointsTable endpoints={endpoints} latest={latest} />
        </Card>
      </div>
    </>
  );
}
