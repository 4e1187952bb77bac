'use client';

import { Button } from '@/components/ui/button';
import { Card, ErrorState } from '@/components/ui/card';

export default function WebhooksError({ reset }: { error: Error; reset: () => void }) {
  return (
    <Card>
      <ErrorState title="The webhooks could not be loaded">
        Nothing was changed, and notifications keep being sent. Try again in a moment.
        <div className="mt-3">
          <Button variant="secondary" onClick={reset}>
            Try again
          </Button>
        </div>
      </ErrorState>
    </Card>
  );
}
