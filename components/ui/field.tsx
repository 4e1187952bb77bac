import { z } from 'zod';
import { cn } from '@/lib/cn';
import type {
  ComponentType,
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from 'react';
// Types only: lib/results logs on the server, which a client bundle cannot hold.
import type { FieldErrors } from '@/lib/results';

const control =
  'block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-xs placeholder:text-slate-400 disabled:bg-slate-100 disabled:text-slate-500';

function controlClasses(invalid: boolean) {
  return cn(control, invalid ? 'border-red-500' : 'border-slate-300');
}

/** A labelled form control with its hint and error, wired with ids so screen readers read all three. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  className,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn('space-y-1', className)}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {hint && !error && (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string | undefined, error: unknown, hint: unknown) {
  if (!id) return undefined;
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

type Invalid = { invalid?: boolean; hint?: boolean };

/** A control's own attributes, with its look and the aria wiring to its error or hint. */
function wired<P extends { id?: string; className?: string }>(
  { invalid = false, hint, className, ...props }: P & Invalid,
  ownClass?: string,
) {
  return {
    className: cn(controlClasses(invalid), ownClass, className),
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy(props.id, invalid, hint),
    ...props,
  };
}

export function Input(props: InputHTMLAttributes<HTMLInputElement> & Invalid) {
  return <input {...wired(props)} />;
}

export function Textarea(props: TextareaHTMLAttributes<HTMLTextAreaElement> & Invalid) {
  return <textarea {...wired(props)} />;
}

/** Options come as children (`<Options>` for a list of choices). */
export function Select(props: SelectHTMLAttributes<HTMLSelectElement> & Invalid) {
  return <select {...wired(props, 'pr-8')} />;
}

/** A value a select can send, with the label people see. */
export interface Choice {
  value: string;
  label: string;
}

/** A fixed list of values as choices, each labelled from `labels` (or shown as it is). */
export function choicesOf<V extends string>(
  values: readonly V[],
  labels?: Readonly<Record<V, string>>,
): Choice[] {
  return values.map((value) => ({ value, label: labels?.[value] ?? value }));
}

/** The `<option>`s of a select, one per choice in order. */
export function Options({ choices }: { choices: readonly Choice[] }) {
  return choices.map((c) => (
    <option key={c.value} value={c.value}>
      {c.label}
    </option>
  ));
}

export function Checkbox({
  id,
  label,
  hint,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { id: string; label: ReactNode; hint?: ReactNode }) {
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        type="checkbox"
        className="mt-0.5 size-4 rounded border-slate-300 text-brand-600 accent-brand-600"
        aria-describedby={hint ? `${id}-hint` : undefined}
        {...props}
      />
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        {hint && (
          <p id={`${id}-hint`} className="text-xs text-slate-500">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

interface FieldProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  /** Classes of the field around the control (the control's own go in `className`). */
  fieldClassName?: string;
}

/**
 * A control inside its Field, sharing the id, with the hint and error wired to the control:
 * `InputField`, `TextareaField` and `SelectField` (whose options come as children).
 */
function withField<P extends object>(Control: ComponentType<P & Invalid & { id: string }>) {
  return function LabelledControl({
    id,
    label,
    hint,
    error,
    fieldClassName,
    ...props
  }: FieldProps & P) {
    return (
      <Field id={id} label={label} hint={hint} error={error} className={fieldClassName}>
        <Control id={id} hint={Boolean(hint)} invalid={Boolean(error)} {...(props as P)} />
      </Field>
    );
  };
}

export const InputField = withField<InputHTMLAttributes<HTMLInputElement>>(Input);
export const TextareaField = withField<TextareaHTMLAttributes<HTMLTextAreaElement>>(Textarea);
export const SelectField = withField<SelectHTMLAttributes<HTMLSelectElement>>(Select);

/** The browser's own checks of a text field, read from the schema that validates it. */
function textBounds(schema: z.core.$ZodType | undefined) {
  let inner: z.core.$ZodType | undefined = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap();
  if (!(inner instanceof z.ZodString)) return {};
  const { minLength, maxLength } = inner;
  return {
    ...(minLength ? { required: true } : {}),
    ...(minLength && minLength > 1 ? { minLength } : {}),
    ...(maxLength !== null ? { maxLength } : {}),
  };
}

/**
 * The id, name and first error of each field of a form, to spread onto an `InputField` (or
 * `TextareaField`, `SelectField`): `const field = fieldPropsFor('app', errors, createAppSchema)`,
 * then `<InputField {...field('name')} label="Name" />` gets the id `app-name`. With the form's
 * schema, a text field also gets `required`, `minLength` and `maxLength` from its string rule, so
 * the browser checks the same bounds as the action; attributes written after the spread win.
 */
export function fieldPropsFor(form: string, errors: FieldErrors, schema?: z.ZodObject) {
  return (name: string) => ({
    id: `${form}-${name}`,
    name,
    error: errors[name]?.[0],
    ...textBounds(schema?.shape[name] as z.core.$ZodType | undefined),
  });
}
