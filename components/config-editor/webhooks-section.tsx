'use client';

import { useEditor } from '@/components/config-editor/editor-context';
import { EditorSection } from '@/components/config-editor/editor-section';
import {
  MultiChoiceField,
  RemoveItemButton,
  SecretField,
  TextField,
} from '@/components/config-editor/fields';
import { eventOptions } from '@/components/config-editor/labels';
import { Button } from '@/components/ui/button';

const MAX_WEBHOOKS = 10;

function nextId(taken: string[]): string {
  for (let n = taken.length + 1; ; n += 1) {
    const id = `webhook-${n}`;
    if (!taken.includes(id)) return id;
  }
}

export function WebhooksSection() {
  const { draft, base, set, readOnly } = useEditor();
  const webhooks = draft.webhooks;
  return (
    <EditorSection
      id="webhooks"
      title="Webhooks"
      description="Calls to your servers when something happens. Signed with a secret you keep."
    >
      {webhooks.length === 0 && <p className="text-sm text-slate-500">No webhooks.</p>}
      {webhooks.map((webhook, i) => {
        const stored = base.webhooks.some((w) => w.id === webhook.id);
        return (
          <fieldset key={i} className="space-y-4 rounded-md border border-slate-200 p-4">
            <legend className="px-1 text-sm font-medium text-slate-900">
              Webhook “{webhook.id || 'new'}”
            </legend>
            <div className="grid gap-4 md:grid-cols-2">
              <TextField
                path={`webhooks.${i}.id`}
                label="ID"
                hint="Lower-case letters, digits, - and _; starts with a letter."
              />
              <TextField
                path={`webhooks.${i}.url`}
                label="URL"
                type="url"
                placeholder="https://hooks.example.com/identity"
              />
              <SecretField
                path={`webhooks.${i}.signingSecret`}
                label="Signing secret"
                stored={stored}
                generate
              />
            </div>
            <MultiChoiceField
              path={`webhooks.${i}.events`}
              legend="Events"
              options={eventOptions}
            />
            <RemoveItemButton path="webhooks" items={webhooks} index={i}>
              Remove webhook “{webhook.id}”
            </RemoveItemButton>
          </fieldset>
        );
      })}
      {!readOnly && webhooks.length < MAX_WEBHOOKS && (
        <Button
          variant="secondary"
          onClick={() =>
            set('webhooks', [
              ...webhooks,
              {
                id: nextId(webhooks.map((w) => w.id)),
                url: '',
                events: ['user.created'],
                signingSecret: '',
              },
            ])
          }
        >
          Add webhook
        </Button>
      )}
    </EditorSection>
  );
}
