'use client';

import { ShowOnceSecret } from '@/components/ui/show-once-secret';

/** The one time a token's secret is visible. */
export function NewTokenSecret({
  name,
  secret,
  onDone,
}: {
  name: string;
  secret: string;
  onDone: () => void;
}) {
  return (
    <ShowOnceSecret
      title={`Your new token “${name}”`}
      label="New API token"
      secret={secret}
      copyLabel="Copy token"
      onDone={onDone}
      footer={
        <>
          Send it as <code className="font-mono">Authorization: Bearer …</code> with requests to the
          Propagate API.
        </>
      }
    >
      Copy it now and keep it somewhere safe, such as your pipeline’s secret store; we only keep a
      fingerprint of it.
    </ShowOnceSecret>
  );
}
