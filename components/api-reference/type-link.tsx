import type { TypeLabel } from '@/components/api-reference/schema-type';

export function TypeLink({ label }: { label: TypeLabel }) {
  if (!label.ref) return <span className="font-mono text-xs text-slate-700">{label.text}</span>;
  const [before, after] = label.text.split(label.ref);
  return (
    <span className="font-mono text-xs text-slate-700">
      {before}
      <a
        href={`#schema-${label.ref}`}
        className="text-brand-700 underline-offset-2 hover:underline"
      >
        {label.ref}
      </a>
      {after}
    </span>
  );
}
