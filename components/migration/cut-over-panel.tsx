import type { PanelProps } from '@/components/migration/panel-props';
import { StepButton } from '@/components/migration/step-button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Table, Td, Tr } from '@/components/ui/table';

/** Services per region and the deployment they read from; roll back and finish after a cut-over. */
export function CutOverPanel({ data, m, canRun }: PanelProps) {
  return (
    <Card>
      <CardHeader
        title="Services by region"
        description={
          m.phase === 'cut-over'
            ? `Cut over ${m.cutOverAt ? 'at ' + new Date(m.cutOverAt).toISOString().slice(11, 19) + ' UTC' : ''}: services load every app from ${m.target} and switch without a restart. Dual writes continue, so rolling back loses nothing.`
            : `Services read from ${data.active}.`
        }
      />
      <Table
        caption="Service instances per region and deployment"
        columns={['Region', `On ${m.target}`, 'Others', `Cannot reach ${m.target}`]}
      >
        <tbody>
          {data.instances.byRegion.length === 0 ? (
            <Tr>
              <Td colSpan={4} className="text-slate-500">
                No service instance reports yet.
              </Td>
            </Tr>
          ) : (
            data.instances.byRegion.map((r) => (
              <Tr key={r.region}>
                <Td className="font-medium text-slate-900">{r.region}</Td>
                <Td>
                  {r.on[m.target] ?? 0}/{r.total} on {m.target}
                </Td>
                <Td>
                  {Object.entries(r.on)
                    .filter(([name]) => name !== m.target)
                    .map(([name, n]) => `${n} on ${name}`)
                    .join(', ') || 'none'}
                </Td>
                <Td>{r.cannotReachTarget.length ? r.cannotReachTarget.join(', ') : 'none'}</Td>
              </Tr>
            ))
          )}
        </tbody>
      </Table>
      {m.phase === 'cut-over' && (
        <CardBody className="flex flex-wrap items-start gap-6 border-t border-slate-200">
          <StepButton
            step="rollBack"
            label={`Roll back to ${m.source}`}
            variant="danger"
            status={data}
            canRun={canRun}
          />
          <StepButton
            step="finish"
            label={`Finish: retire ${m.source}`}
            status={data}
            canRun={canRun}
          />
        </CardBody>
      )}
    </Card>
  );
}
