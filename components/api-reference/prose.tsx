import { Fragment } from 'react';

/** Text with `backticks` for code, as the OpenAPI document writes it. */
export function InlineText({ text }: { text: string }) {
  return text.split('`').map((part, i) =>
    i % 2 === 1 ? (
      <code
        key={i}
        className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.8rem] text-slate-800"
      >
        {part}
      </code>
    ) : (
      <Fragment key={i}>{part}</Fragment>
    ),
  );
}

/** Paragraphs separated by blank lines. */
export function Prose({ text }: { text: string }) {
  return text.split('\n\n').map((paragraph, p) => (
    <p key={p} className="mt-2 text-sm leading-6 text-slate-600 first:mt-0">
      <InlineText text={paragraph} />
    </p>
  ));
}
