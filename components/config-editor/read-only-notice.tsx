import { roleLabels, type Role } from '@/lib/auth/roles';

export function ReadOnlyNotice({ role }: { role: Role }) {
  return (
    <div
      role="note"
      className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700 shadow-xs"
    >
      <p className="font-medium text-slate-900">Read-only</p>
      <p className="mt-0.5">
        Your role ({roleLabels[role]}) can see this configuration but not change it. Ask an admin of
        this organisation to make changes.
      </p>
    </div>
  );
}
