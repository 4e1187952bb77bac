import { NotPermitted } from '@/components/shell/not-permitted';

/** What the webhook pages show anyone but an account admin. */
export function WebhooksNotPermitted() {
  return (
    <NotPermitted title="Webhooks">
      Only an admin of an account adds and manages its webhook endpoints.
    </NotPermitted>
  );
}
