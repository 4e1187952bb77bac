'use client';

import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { choicesOf, fieldPropsFor, InputField, Options, SelectField } from '@/components/ui/field';
import { TimeAgo } from '@/components/ui/time-ago';
import { useFormAction, useShownOnce } from '@/components/ui/use-form-action';
import { inviteUser } from '@/lib/actions/invite-user';
import { inviteUserSchema, TENANT_ROLES, tenantRoleLabels } from '@/lib/schemas/users';

export function InviteUserForm() {
  const { state, action, pending, errors } = useFormAction(inviteUser);
  const field = fieldPropsFor('invite', errors, inviteUserSchema);
  const { shown, dismiss } = useShownOnce(state, (created) => created.invitationId);
  const link = shown ? `${window.location.origin}${shown.path}` : '';
  return (
    <div className="space-y-4">
      {shown && (
        <div
          role="region"
          aria-labelledby="new-invite-title"
          className="rounded-md border border-emerald-200 bg-emerald-50 p-4"
        >
          <h3 id="new-invite-title" className="text-sm font-semibold text-emerald-900">
            Invitation link for {shown.email}
          </h3>
          <p className="mt-1 text-sm text-emerald-900">
            Send it to them yourself. <strong>You won’t be able to see it again</strong>; it works
            once and expires <TimeAgo date={shown.expiresAt} />.
          </p>
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <label htmlFor="new-invite-link" className="sr-only">
              Invitation link
            </label>
            <input
              id="new-invite-link"
              readOnly
              value={link}
              onFocus={(e) => e.currentTarget.select()}
              className="min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
            />
            <Button variant="secondary" onClick={() => void navigator.clipboard.writeText(link)}>
              Copy link
            </Button>
            <Button variant="ghost" onClick={dismiss}>
              Done
            </Button>
          </div>
        </div>
      )}
      <form action={action} className="grid gap-4 md:grid-cols-[1fr_12rem_auto] md:items-start">
        <InputField
          {...field('email')}
          label="Email"
          type="email"
          required
          autoComplete="off"
          placeholder="name@company.com"
        />
        <SelectField {...field('role')} label="Role" defaultValue="viewer">
          <Options choices={choicesOf(TENANT_ROLES, tenantRoleLabels)} />
        </SelectField>
        <Button type="submit" pending={pending} className="md:mt-6">
          Create invitation link
        </Button>
      </form>
      <ActionError result={state} />
    </div>
  );
}
