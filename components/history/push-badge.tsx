import { Badge } from '@/components/ui/badge';

/** Whether the primary cache has (or has superseded) this version; the worker retries the rest. */
export function PushBadge({ pushedAt }: { pushedAt: Date | null }) {
  return pushedAt ? (
    <Badge tone="success" dot>
      Pushed
    </Badge>
  ) : (
    <Badge tone="warning" dot>
      Push pending
    </Badge>
  );
}
