'use client';

import { ChangeTable } from '@/components/config-diff/change-table';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { TimeAgo } from '@/components/ui/time-ago';
import type { ConfigConflict } from '@/lib/versions/conflict';

/** Someone saved first: say who and what, and offer to put this editor's changes on top. */
export function ConflictPanel({
  conflict,
  onReapply,
  onDiscard,
}: {
  conflict: ConfigConflict;
  onReapply: () => void;
  onDiscard: () => void;
}) {
  const { head } = conflict;
  return (
    <div
      role="alert"
      aria-labelledby="conflict-title"
      className="rounded-lg border border-amber-300 bg-amber-50 p-1"
    >
      <div className="px-4 pt-3 pb-2">
        <h2 id="conflict-title" className="text-base font-semibold text-amber-900">
          Someone else saved v{head.version} while you were editing
        </h2>
        <p className="mt-1 text-sm text-amber-900">
          {head.authorName} saved it <TimeAgo date={head.createdAt} />
          {head.message ? <> with the message “{head.message}”</> : null}. Your changes were not
          saved, and nothing of theirs was overwritten.
        </p>
      </div>
      <div className="grid gap-3 p-3 lg:grid-cols-2">
        <Card>
          <CardHeader
            headingLevel={3}
            title={`What they changed (v${conflict.baseVersion} → v${head.version})`}
          />
          <CardBody className="p-0">
            <ChangeTable
              changes={conflict.theirChanges}
              caption="Changes saved by the other person"
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader headingLevel={3} title="Your changes" />
          <CardBody className="p-0">
            <ChangeTable changes={conflict.yourChanges} caption="Your unsaved changes" />
          </CardBody>
        </Card>
      </div>
      <div className="flex flex-wrap gap-2 px-4 pt-1 pb-3">
        <Button onClick={onReapply}>Re-apply my changes on top of v{head.version}</Button>
        <Button variant="secondary" onClick={onDiscard}>
          Discard my changes and load v{head.version}
        </Button>
      </div>
    </div>
  );
}
