import Link from 'next/link';
import { TimeAgo } from '@/components/ui/time-ago';

/** Shown above every page of an archived app: what it means, and where to undo it. */
export function ArchivedNotice({
  archivedAt,
  by,
  settingsHref,
}: {
  archivedAt: Date;
  by: string | null;
  settingsHref: string | null;
}) {
  return (
    <div
      role="note"
      className="mb-6 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
    >
      <p className="font-medium">
        Archived <TimeAgo date={archivedAt} />
        {by ? ` by ${by}` : ''}
      </p>
      <p className="mt-0.5">
        Services no longer receive this app’s configuration, and it is read-only. Its history is
        kept.{' '}
        {settingsHref && (
          <Link href={settingsHref} className="font-medium underline">
            Restore it in Settings
          </Link>
        )}
      </p>
    </div>
  );
}
