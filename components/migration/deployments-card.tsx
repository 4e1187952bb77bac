import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { Table, Td, Tr } from '@/components/ui/table';
import type { MigrationStatusJson } from '@/lib/query/migration';

/** Every declared deployment and its role now: active, receiving every save, or idle. */
export function DeploymentsCard({ data }: { data: MigrationStatusJson }) {
  const m = data.migration;
  return (
    <Card>
      <CardHeader
        title="Cache deployments"
        description={`Services read from ${data.active} (marker epoch ${data.epoch}). Declared in the environment; credentials never leave the server.`}
      />
      <Table
        caption="Cache deployments"
        columns={['Deployment', 'Primary', 'Replicas', 'Role now']}
      >
        <tbody>
          {data.deployments.map((d) => (
            <Tr key={d.name}>
              <Td className="font-medium text-slate-900">
                {d.name}
                {d.tls && <span className="ml-2 text-xs text-slate-500">TLS</span>}
              </Td>
              <Td>{d.primaryRegion}</Td>
              <Td>{d.replicaRegions.length ? d.replicaRegions.join(', ') : 'none'}</Td>
              <Td>
                {d.name === data.active ? (
                  <Badge tone="success" dot>
                    active: services read here
                  </Badge>
                ) : m && (d.name === m.target || d.name === m.source) ? (
                  <Badge tone="info">
                    {data.live.includes(d.name) ? 'receives every save' : 'migration target'}
                  </Badge>
                ) : (
                  <Badge>idle</Badge>
                )}
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}
