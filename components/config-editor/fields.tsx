'use client';

import { useState, type ReactNode } from 'react';
import { errorsUnder, useEditor, useField } from '@/components/config-editor/editor-context';
import { fieldId } from '@/components/config-editor/draft';
import {
  Checkbox,
  Field,
  Input,
  InputField,
  Options,
  Textarea,
  SelectField as UiSelectField,
} from '@/components/ui/field';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/cn';
import { generateSecret } from '@/lib/schemas/secret-strength';
import { SECRET_DISPLAY, SECRET_UNCHANGED } from '@/lib/secrets';

export function TextField({
  path,
  label,
  hint,
  placeholder,
  type = 'text',
}: {
  path: string;
  label: string;
  hint?: ReactNode;
  placeholder?: string;
  type?: 'text' | 'url';
}) {
  const f = useField<string>(path);
  return (
    <InputField
      id={f.id}
      label={label}
      hint={hint}
      error={f.error}
      type={type}
      value={f.value ?? ''}
      onChange={(e) => f.set(e.target.value)}
      placeholder={placeholder}
      readOnly={f.readOnly}
      autoComplete="off"
      spellCheck={false}
    />
  );
}

/** Numbers stay numbers in the draft; an empty or unreadable box becomes NaN ("Enter a number"). */
export function NumberField({
  path,
  label,
  hint,
  unit,
  min,
  max,
}: {
  path: string;
  label: string;
  hint?: ReactNode;
  unit?: string;
  min?: number;
  max?: number;
}) {
  const f = useField<number>(path);
  return (
    <Field id={f.id} label={label} hint={hint} error={f.error}>
      <div className="flex items-center gap-2">
        <Input
          id={f.id}
          type="number"
          inputMode="numeric"
          value={Number.isFinite(f.value) ? f.value : ''}
          onChange={(e) => f.set(e.target.value === '' ? Number.NaN : e.target.valueAsNumber)}
          min={min}
          max={max}
          step={1}
          readOnly={f.readOnly}
          invalid={!!f.error}
          hint={!!hint}
          className="max-w-40"
        />
        {unit && <span className="text-sm text-slate-500">{unit}</span>}
      </div>
    </Field>
  );
}

export function ToggleField({
  path,
  label,
  hint,
}: {
  path: string;
  label: string;
  hint?: ReactNode;
}) {
  const f = useField<boolean>(path);
  return (
    <div>
      <Checkbox
        id={f.id}
        label={label}
        hint={hint}
        checked={!!f.value}
        onChange={(e) => f.set(e.target.checked)}
        disabled={f.readOnly}
        aria-invalid={!!f.error || undefined}
      />
      {f.error && (
        <p id={`${f.id}-error`} className="mt-1 ml-6 text-xs font-medium text-red-600">
          {f.error}
        </p>
      )}
    </div>
  );
}

export function SelectField({
  path,
  label,
  hint,
  options,
}: {
  path: string;
  label: string;
  hint?: ReactNode;
  options: readonly { value: string; label: string }[];
}) {
  const f = useField<string>(path);
  return (
    <UiSelectField
      id={f.id}
      label={label}
      hint={hint}
      error={f.error}
      value={f.value}
      onChange={(e) => f.set(e.target.value)}
      disabled={f.readOnly}
    >
      <Options choices={options} />
    </UiSelectField>
  );
}

/** A set of choices stored as a list (factors, events), in the order of the options. */
export function MultiChoiceField({
  path,
  legend,
  hint,
  options,
}: {
  path: string;
  legend: string;
  hint?: ReactNode;
  options: readonly { value: string; label: string }[];
}) {
  const { errors } = useEditor();
  const f = useField<string[]>(path);
  const selected = f.value ?? [];
  const messages = errorsUnder(errors, path).flatMap(([, m]) => m);
  const toggle = (value: string, on: boolean) => {
    const next = on ? [...selected, value] : selected.filter((v) => v !== value);
    f.set(options.map((o) => o.value).filter((v) => next.includes(v)));
  };
  return (
    <fieldset
      id={f.id}
      tabIndex={-1}
      aria-describedby={messages.length ? `${f.id}-error` : hint ? `${f.id}-hint` : undefined}
    >
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      {hint && (
        <p id={`${f.id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      <div className="mt-2 grid gap-2 sm:grid-cols-2">
        {options.map((o) => (
          <Checkbox
            key={o.value}
            id={`${f.id}-${o.value.replace(/\W/g, '-')}`}
            label={o.label}
            checked={selected.includes(o.value)}
            onChange={(e) => toggle(o.value, e.target.checked)}
            disabled={f.readOnly}
          />
        ))}
      </div>
      {messages.length > 0 && (
        <p id={`${f.id}-error`} className="mt-1 text-xs font-medium text-red-600">
          {messages.join(' ')}
        </p>
      )}
    </fieldset>
  );
}

/**
 * A list edited as text: one item per line (URLs) or separated by spaces (scopes). Errors on an
 * item (`urls.redirectUrls.2`) name its line, so the person can find what the server means.
 */
export function ListTextField({
  path,
  label,
  hint,
  placeholder,
  separator = 'line',
  emptyIsMissing = false,
}: {
  path: string;
  label: string;
  hint?: ReactNode;
  placeholder?: string;
  separator?: 'line' | 'space';
  /** An empty optional list is left out rather than sent as []. */
  emptyIsMissing?: boolean;
}) {
  const { errors } = useEditor();
  const f = useField<string[] | undefined>(path);
  const list = f.value ?? [];
  const join = separator === 'line' ? '\n' : ' ';
  const split = (text: string) =>
    text
      .split(separator === 'line' ? '\n' : /\s+/)
      .map((l) => l.trim())
      .filter(Boolean);
  // Keeps what is typed (blank lines, a trailing space) while the draft holds the clean list;
  // when the draft changes from elsewhere (re-apply, discard) the text follows it.
  const [text, setText] = useState(list.join(join));
  const shown = split(text).join(join) === list.join(join) ? text : list.join(join);
  const messages = errorsUnder(errors, path).map(([key, m]) => {
    const index = key.slice(path.length + 1);
    if (!index) return m.join(' ');
    const item = list[Number(index)] ?? '';
    return separator === 'line'
      ? `Line ${Number(index) + 1} (${item}): ${m.join(' ')}`
      : `“${item}”: ${m.join(' ')}`;
  });
  const Control = separator === 'line' ? Textarea : Input;
  return (
    <Field
      id={f.id}
      label={label}
      hint={hint}
      error={messages.length ? messages.join(' · ') : undefined}
    >
      <Control
        id={f.id}
        rows={separator === 'line' ? Math.min(8, Math.max(3, list.length + 1)) : undefined}
        value={shown}
        onChange={(e: { target: { value: string } }) => {
          setText(e.target.value);
          const next = split(e.target.value);
          f.set(next.length === 0 && emptyIsMissing ? undefined : next);
        }}
        placeholder={placeholder}
        readOnly={f.readOnly}
        invalid={messages.length > 0}
        hint={!!hint}
        spellCheck={false}
        autoComplete="off"
        className="font-mono"
      />
    </Field>
  );
}

/**
 * A write-only secret. The browser only ever holds the "unchanged" marker for a stored secret;
 * typing replaces it, clearing the box keeps the stored one. With `generate`, one click puts a
 * random secret in the box (made here, in the browser) and shows it so it can be copied to
 * whatever verifies it before the save makes it write-only.
 */
export function SecretField({
  path,
  label,
  stored,
  generate = false,
}: {
  path: string;
  label: string;
  stored: boolean;
  generate?: boolean;
}) {
  const f = useField<string>(path);
  const [generated, setGenerated] = useState<string | null>(null);
  const unchanged = f.value === SECRET_UNCHANGED || f.value === '';
  const showing = generated !== null && f.value === generated;
  const hint = showing
    ? 'Generated. Copy it to the receiver now: once saved it is never shown again.'
    : stored
      ? unchanged
        ? 'Stored and hidden. Leave empty to keep it.'
        : 'Will replace the stored secret when you save.'
      : 'Write-only: once saved it is never shown again.';
  return (
    <Field id={f.id} label={label} hint={hint} error={f.error}>
      <div className="flex gap-2">
        <Input
          id={f.id}
          type={showing ? 'text' : 'password'}
          autoComplete="new-password"
          value={unchanged ? '' : f.value}
          onChange={(e) =>
            f.set(e.target.value === '' && stored ? SECRET_UNCHANGED : e.target.value)
          }
          placeholder={
            stored ? `${SECRET_DISPLAY} (unchanged) — type to replace` : 'Paste the secret'
          }
          readOnly={f.readOnly}
          invalid={!!f.error}
          hint
          spellCheck={false}
          className={showing ? 'font-mono' : undefined}
        />
        {generate && !f.readOnly && (
          <Button
            variant="secondary"
            aria-label={`Generate a new ${label.toLowerCase()}`}
            onClick={() => {
              const secret = generateSecret();
              setGenerated(secret);
              f.set(secret);
            }}
          >
            Generate
          </Button>
        )}
      </div>
    </Field>
  );
}

/** Errors about a whole group (a cross-field rule, an unknown key) at the top of its section. */
export function GroupErrors({ path }: { path: string }) {
  const { errors } = useEditor();
  const messages = errors[path];
  if (!messages?.length) return null;
  return (
    <p
      id={`${fieldId(path)}-group-error`}
      role="alert"
      className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700"
    >
      {messages.join(' ')}
    </p>
  );
}

/** Takes one item out of a list in the draft (a provider, a webhook); absent when read-only. */
export function RemoveItemButton({
  path,
  items,
  index,
  className,
  children,
}: {
  path: string;
  items: readonly unknown[];
  index: number;
  className?: string;
  children: ReactNode;
}) {
  const { set, readOnly } = useEditor();
  if (readOnly) return null;
  return (
    <div className={cn('flex justify-end', className)}>
      <Button
        variant="ghost"
        size="sm"
        onClick={() =>
          set(
            path,
            items.filter((_, j) => j !== index),
          )
        }
      >
        {children}
      </Button>
    </div>
  );
}
