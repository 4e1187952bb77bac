'use client';

import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { Checkbox, fieldPropsFor, InputField } from '@/components/ui/field';
import { ShowOnceSecret } from '@/components/ui/show-once-secret';
import { useFormAction, useShownOnce } from '@/components/ui/use-form-action';
import { createWebhookEndpoint } from '@/lib/actions/create-webhook-endpoint';
import {
  createWebhookEndpointSchema,
  webhookEventDescriptions,
  webhookEventLabels,
  webhookEventTypes,
} from '@/lib/schemas/webhooks';

const defaultEvents = new Set(['config.converged', 'region.lagging', 'region.recovered']);

function FieldsetError({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages?.[0]) return null;
  return (
    <p id={id} className="mt-1 text-xs font-medium text-red-600">
      {messages[0]}
    </p>
  );
}

export function CreateEndpointForm({ apps }: { apps: { id: string; name: string }[] }) {
  const { state, action, pending, errors } = useFormAction(createWebhookEndpoint);
  const field = fieldPropsFor('webhook', errors, createWebhookEndpointSchema);
  const { created, shown, dismiss } = useShownOnce(state, (created) => created.endpoint._id);

  return (
    <div className="space-y-4">
      {shown && (
        <ShowOnceSecret
          title={`Signing secret for ${shown.endpoint.url}`}
          label="Signing secret"
          secret={shown.secret}
          copyLabel="Copy secret"
          onDone={dismiss}
          footer={
            <>
              Every notification carries <code className="font-mono">webhook-id</code>,{' '}
              <code className="font-mono">webhook-timestamp</code> and{' '}
              <code className="font-mono">webhook-signature</code> (Standard Webhooks): verify them
              with this secret in any Standard Webhooks library, and handle each id once.
            </>
          }
        >
          Copy it now and keep it in your receiver’s secret store.
        </ShowOnceSecret>
      )}
      {/* A new form after each success, so the fields start empty again. */}
      <form
        key={created?.endpoint._id ?? 'new'}
        action={action}
        className="grid gap-5 lg:grid-cols-2"
      >
        <div className="space-y-4">
          <InputField
            {...field('url')}
            label="Endpoint URL"
            hint="An https:// address on the public internet that accepts POST requests."
            type="url"
            autoComplete="off"
            placeholder="https://hooks.example.com/propagate"
          />
          <InputField
            {...field('description')}
            label="Description"
            hint="Optional: who owns it, what it triggers."
            autoComplete="off"
            placeholder="Deploy bot"
          />
          <fieldset aria-describedby={errors.appIds ? 'webhook-apps-error' : 'webhook-apps-hint'}>
            <legend className="text-sm font-medium text-slate-800">Apps</legend>
            <p id="webhook-apps-hint" className="text-xs text-slate-500">
              None ticked: every app of your account, including apps created later.
            </p>
            {apps.length === 0 ? (
              <p className="mt-2 text-sm text-slate-500">Your account has no apps yet.</p>
            ) : (
              <div className="mt-2 max-h-40 space-y-1 overflow-y-auto rounded-md border border-slate-200 p-2">
                {apps.map((app) => (
                  <Checkbox
                    key={app.id}
                    id={`webhook-app-${app.id}`}
                    name="appIds"
                    value={app.id}
                    label={app.name}
                  />
                ))}
              </div>
            )}
            <FieldsetError id="webhook-apps-error" messages={errors.appIds} />
          </fieldset>
        </div>
        <fieldset
          aria-describedby={errors.eventTypes ? 'webhook-events-error' : undefined}
          className="space-y-2"
        >
          <legend className="text-sm font-medium text-slate-800">Events</legend>
          {webhookEventTypes.map((type) => (
            <Checkbox
              key={type}
              id={`webhook-event-${type}`}
              name="eventTypes"
              value={type}
              defaultChecked={defaultEvents.has(type)}
              label={
                <>
                  {webhookEventLabels[type]}{' '}
                  <code className="font-mono text-xs font-normal text-slate-500">{type}</code>
                </>
              }
              hint={webhookEventDescriptions[type]}
            />
          ))}
          <FieldsetError id="webhook-events-error" messages={errors.eventTypes} />
        </fieldset>
        <div className="flex items-center gap-4 lg:col-span-2">
          <Button type="submit" pending={pending}>
            Add endpoint
          </Button>
          <ActionError result={state} />
        </div>
      </form>
    </div>
  );
}
