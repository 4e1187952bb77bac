import type { ReactNode } from 'react';
import { GroupErrors } from '@/components/config-editor/fields';
import { Card, CardBody, CardHeader } from '@/components/ui/card';

export function EditorSection({
  id,
  title,
  description,
  children,
}: {
  /** The config key this section edits; also its anchor. */
  id: string;
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <div id={`section-${id}`} className="scroll-mt-6">
      <Card>
        <CardHeader title={title} description={description} />
        <CardBody className="space-y-5">
          <GroupErrors path={id} />
          {children}
        </CardBody>
      </Card>
    </div>
  );
}
