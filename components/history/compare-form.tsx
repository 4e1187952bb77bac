import { VersionPicker } from '@/components/history/version-picker';
import { Button } from '@/components/ui/button';

/**
 * A plain GET form: the comparison lives in the URL (?from=3&to=7), so it can be shared. Each
 * side is a searching picker, so an app with thousands of versions sends none of them up front.
 */
export function CompareForm({
  appId,
  action,
  from,
  to,
}: {
  appId: string;
  action: string;
  from: number;
  to: number;
}) {
  return (
    <form action={action} method="get" className="flex flex-wrap items-end gap-3">
      <VersionPicker appId={appId} name="from" label="Compare" defaultVersion={from} />
      <VersionPicker appId={appId} name="to" label="with" defaultVersion={to} />
      <Button type="submit" variant="secondary">
        Show differences
      </Button>
    </form>
  );
}
