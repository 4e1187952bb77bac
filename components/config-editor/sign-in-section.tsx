'use client';

import { useEditor } from '@/components/config-editor/editor-context';
import { EditorSection } from '@/components/config-editor/editor-section';
import {
  ListTextField,
  NumberField,
  RemoveItemButton,
  SecretField,
  TextField,
  ToggleField,
} from '@/components/config-editor/fields';
import { providerOptions } from '@/components/config-editor/labels';
import { Button } from '@/components/ui/button';
import { SOCIAL_PROVIDER_LABELS, type ConfigInput } from '@/lib/schemas/config';
import { useState } from 'react';
import { Options, SelectField } from '@/components/ui/field';

type Provider = ConfigInput['signIn']['social'][number];

export function SignInSection() {
  const { draft, base, set, readOnly } = useEditor();
  const social = draft.signIn.social;
  const unused = providerOptions.filter((o) => !social.some((p) => p.provider === o.value));
  const [adding, setAdding] = useState(unused[0]?.value ?? '');
  const storedSecret = (p: Provider) =>
    base.signIn.social.some((b) => b.provider === p.provider && b.clientId === p.clientId);

  return (
    <EditorSection
      id="signIn"
      title="Sign-in methods"
      description="How people prove who they are. Turn on at least one."
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <ToggleField
          path="signIn.password.enabled"
          label="Password"
          hint="Email address and password."
        />
        <div className="space-y-3">
          <ToggleField
            path="signIn.passwordless.enabled"
            label="Email link (passwordless)"
            hint="A one-time sign-in link sent by email."
          />
          {draft.signIn.passwordless.enabled && (
            <NumberField
              path="signIn.passwordless.linkLifetimeMinutes"
              label="Link lifetime"
              unit="minutes"
              min={1}
              max={60}
            />
          )}
        </div>
      </div>

      <div className="space-y-3">
        <h3 className="text-sm font-semibold text-slate-900">Social providers</h3>
        {social.length === 0 && (
          <p className="text-sm text-slate-500">
            No social providers. People sign in with the methods above.
          </p>
        )}
        {social.map((provider, i) => (
          <fieldset key={provider.provider} className="rounded-md border border-slate-200 p-4">
            <legend className="px-1 text-sm font-medium text-slate-900">
              {SOCIAL_PROVIDER_LABELS[provider.provider]}
            </legend>
            <div className="grid gap-4 md:grid-cols-2">
              <TextField path={`signIn.social.${i}.clientId`} label="Client ID" />
              <SecretField
                path={`signIn.social.${i}.clientSecret`}
                label="Client secret"
                stored={storedSecret(provider)}
              />
              <ListTextField
                path={`signIn.social.${i}.scopes`}
                label="Scopes"
                hint="Separated by spaces, e.g. openid email profile. Empty uses the provider’s defaults."
                separator="space"
                emptyIsMissing
              />
            </div>
            <RemoveItemButton path="signIn.social" items={social} index={i} className="mt-3">
              Remove {SOCIAL_PROVIDER_LABELS[provider.provider]}
            </RemoveItemButton>
          </fieldset>
        ))}
        {!readOnly && unused.length > 0 && (
          <div className="flex flex-wrap items-end gap-2">
            <SelectField
              id="add-provider"
              label="Add a provider"
              value={unused.some((o) => o.value === adding) ? adding : unused[0]?.value}
              onChange={(e) => setAdding(e.target.value)}
            >
              <Options choices={unused} />
            </SelectField>
            <Button
              variant="secondary"
              onClick={() => {
                const provider = unused.find((o) => o.value === adding)?.value ?? unused[0]?.value;
                if (!provider) return;
                set('signIn.social', [...social, { provider, clientId: '', clientSecret: '' }]);
              }}
            >
              Add provider
            </Button>
          </div>
        )}
      </div>
    </EditorSection>
  );
}
