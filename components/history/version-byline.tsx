import { TimeAgo } from '@/components/ui/time-ago';
import { cn } from '@/lib/cn';
import type { VersionSummary } from '@/lib/db/config-versions';

/** A version's message, then who saved it, when, and whether it was a rollback. */
export function VersionByline({
  version,
  size = 'sm',
}: {
  version: Pick<VersionSummary, 'message' | 'author' | 'createdAt' | 'rollbackOf'>;
  size?: 'sm' | 'xs';
}) {
  return (
    <>
      <p className="text-sm text-slate-900">
        {version.message || <span className="text-slate-400 italic">No message</span>}
      </p>
      <p className={cn('text-slate-500', size === 'xs' ? 'text-xs' : 'text-sm')}>
        {version.author.name} · <TimeAgo date={version.createdAt} />
        {version.rollbackOf !== null && <> · rollback to v{version.rollbackOf}</>}
      </p>
    </>
  );
}
