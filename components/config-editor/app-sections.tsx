'use client';

import { useEditor } from '@/components/config-editor/editor-context';
import { EditorSection } from '@/components/config-editor/editor-section';
import {
  ListTextField,
  SelectField,
  TextField,
  ToggleField,
} from '@/components/config-editor/fields';
import { registrationFieldOptions, verificationOptions } from '@/components/config-editor/labels';
import { Checkbox } from '@/components/ui/field';
import { FIELD_LABELS } from '@/lib/config-diff';
import { FEATURE_SWITCHES } from '@/lib/schemas/config';

export function UrlsSection() {
  return (
    <EditorSection
      id="urls"
      title="URLs"
      description="Where sign-in may start and where people are sent back. One URL per line."
    >
      <ListTextField
        path="urls.allowedOrigins"
        label="Allowed origins"
        hint="Scheme and domain only, like https://app.example.com. A leading *. matches subdomains."
        placeholder="https://app.example.com"
      />
      <ListTextField
        path="urls.redirectUrls"
        label="Redirect URLs"
        hint="Exact callback URLs after sign-in. https:// (http:// only for localhost), no # fragment."
        placeholder="https://app.example.com/callback"
      />
      <ListTextField
        path="urls.logoutUrls"
        label="Logout URLs"
        hint="Where people may be sent after signing out."
        placeholder="https://app.example.com/"
      />
    </EditorSection>
  );
}

export function RegistrationSection() {
  const { draft, set, readOnly } = useEditor();
  const fields = draft.registration.fields;
  const toggleAsk = (name: string, on: boolean) =>
    set(
      'registration.fields',
      on ? [...fields, { name, required: false }] : fields.filter((f) => f.name !== name),
    );
  return (
    <EditorSection
      id="registration"
      title="Registration"
      description="Whether people can sign up themselves, and what they are asked."
    >
      <ToggleField
        path="registration.enabled"
        label="Allow sign-up"
        hint="Off: only invited or imported users can sign in."
      />
      <SelectField
        path="registration.emailVerification"
        label="Email verification"
        options={verificationOptions}
      />
      <fieldset id="cfg-registration-fields" tabIndex={-1}>
        <legend className="text-sm font-medium text-slate-800">Sign-up fields</legend>
        <p className="text-xs text-slate-500">
          Email and password are always asked. Ask only for what you need.
        </p>
        <div className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200">
          {registrationFieldOptions.map((option) => {
            const index = fields.findIndex((f) => f.name === option.value);
            const field = fields[index];
            return (
              <div
                key={option.value}
                className="flex flex-wrap items-center justify-between gap-3 px-3 py-2"
              >
                <Checkbox
                  id={`cfg-registration-ask-${option.value}`}
                  label={option.label}
                  checked={!!field}
                  disabled={readOnly}
                  onChange={(e) => toggleAsk(option.value, e.target.checked)}
                />
                {field && (
                  <Checkbox
                    id={`cfg-registration-fields-${index}-required`}
                    label="Required"
                    checked={field.required}
                    disabled={readOnly}
                    onChange={(e) => set(`registration.fields.${index}.required`, e.target.checked)}
                  />
                )}
              </div>
            );
          })}
        </div>
      </fieldset>
    </EditorSection>
  );
}

export function BrandingSection() {
  const { draft } = useEditor();
  const colour = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(draft.branding.primaryColor)
    ? draft.branding.primaryColor
    : null;
  return (
    <EditorSection
      id="branding"
      title="Branding"
      description="How the sign-in page looks to your users."
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          path="branding.displayName"
          label="Display name"
          hint="Shown on the sign-in page and in emails."
        />
        <div className="flex items-end gap-3">
          <div className="flex-1">
            <TextField
              path="branding.primaryColor"
              label="Primary colour"
              hint="# and 3 or 6 hex digits, like #1A73E8."
              placeholder="#2563EB"
            />
          </div>
          <div className="mb-5 flex flex-col items-center gap-1" aria-hidden>
            <span
              className="size-10 rounded-md ring-1 ring-slate-300"
              style={
                colour
                  ? { backgroundColor: colour }
                  : {
                      backgroundImage:
                        'repeating-linear-gradient(45deg,#e2e8f0 0 4px,#fff 4px 8px)',
                    }
              }
            />
          </div>
        </div>
        <TextField
          path="branding.logoUrl"
          label="Logo URL"
          type="url"
          hint="Optional. An https:// image URL."
          placeholder="https://cdn.example.com/logo.svg"
        />
      </div>
      <div aria-hidden className="rounded-md border border-slate-200 bg-slate-50 p-4">
        <p className="text-xs font-medium tracking-wide text-slate-500 uppercase">Preview</p>
        <div className="mt-2 max-w-xs rounded-md bg-white p-4 shadow-xs ring-1 ring-slate-200">
          <p className="text-sm font-semibold text-slate-900">
            Sign in to {draft.branding.displayName || 'your app'}
          </p>
          <span
            className="mt-3 block rounded-md px-3 py-1.5 text-center text-sm font-medium text-white"
            style={{ backgroundColor: colour ?? '#94a3b8' }}
          >
            Continue
          </span>
        </div>
      </div>
    </EditorSection>
  );
}

export function FeaturesSection() {
  const hints: Record<(typeof FEATURE_SWITCHES)[number], string> = {
    newUniversalLogin: 'The redesigned hosted sign-in page.',
    breachedPasswordDetection: 'Refuse passwords found in known data breaches.',
    adaptiveMfa:
      'Ask for a second factor only when a sign-in looks risky. Needs MFA optional or required.',
    organizations: 'Let users belong to organisations (B2B).',
  };
  return (
    <EditorSection id="features" title="Features">
      <div className="grid gap-3 sm:grid-cols-2">
        {FEATURE_SWITCHES.map((name) => (
          <ToggleField
            key={name}
            path={`features.${name}`}
            label={FIELD_LABELS[`features.${name}`] ?? name}
            hint={hints[name]}
          />
        ))}
      </div>
    </EditorSection>
  );
}
