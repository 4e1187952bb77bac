'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { AppSections } from '@/components/config-editor/sections';
import { ConflictPanel } from '@/components/config-editor/conflict-panel';
import { setIn } from '@/components/config-editor/draft';
import { EditorContext, type EditorState } from '@/components/config-editor/editor-context';
import { ErrorSummary } from '@/components/config-editor/error-summary';
import { rebaseDraft } from '@/components/config-editor/rebase';
import { ReviewDialog } from '@/components/config-editor/review-dialog';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { useFormAction } from '@/components/ui/use-form-action';
import { saveConfig } from '@/lib/actions/save-config';
import type { ConfigConflict } from '@/lib/versions/conflict';
import { diffConfigs } from '@/lib/config-diff';
import { parseConfigInput, type ConfigInput } from '@/lib/schemas/config';
import type { FieldErrors } from '@/lib/schemas/issues';
import type { MaskedConfig } from '@/lib/secrets';

interface Base {
  version: number;
  config: ConfigInput;
}

/**
 * The configuration editor. It edits a masked copy of the head (secrets are markers), checks the
 * draft with the same schema as the server before the review step, and saves through the
 * saveConfig action. A conflict keeps the draft and offers to re-apply it on the new head.
 */
export function ConfigEditor({
  appId,
  baseVersion,
  initial,
}: {
  appId: string;
  baseVersion: number;
  initial: MaskedConfig;
}) {
  const router = useRouter();
  const toast = useToast();
  const [base, setBase] = useState<Base>({ version: baseVersion, config: initial });
  const [draft, setDraft] = useState<ConfigInput>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [errorMessage, setErrorMessage] = useState('');
  const [reviewing, setReviewing] = useState(false);
  // Typing into the server-rendered form before React takes it over can be lost; the marker
  // tells automated checks (and nothing else) when the form is live.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const [conflict, setConflict] = useState<ConfigConflict | null>(null);
  const { state: result, action, pending } = useFormAction(saveConfig);
  const summaryRef = useRef<HTMLDivElement>(null);
  const conflictRef = useRef<HTMLDivElement>(null);
  // What to bring into view once the next render has put it on the page.
  const reveal = useRef<'summary' | 'conflict' | null>(null);
  useEffect(() => {
    if (reveal.current === 'summary') summaryRef.current?.focus();
    if (reveal.current === 'conflict') conflictRef.current?.scrollIntoView({ block: 'start' });
    reveal.current = null;
  });

  const changes = useMemo(() => diffConfigs(base.config, draft), [base.config, draft]);
  const dirty = changes.length > 0;

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // What the server said about the last save.
  useEffect(() => {
    // A successful save never comes back here: the action redirects to the app page, which
    // shows its notice.
    if (result.status === 'invalid') {
      setReviewing(false);
      setErrors(result.fieldErrors);
      setErrorMessage(result.message);
      reveal.current = 'summary';
    } else if (result.status === 'conflict') {
      setReviewing(false);
      setConflict(result.conflict);
      reveal.current = 'conflict';
      // The page header shows the new head; this editor keeps its state across the refresh.
      router.refresh();
    }
    // Only a new result triggers this.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);

  const editor: EditorState = {
    draft,
    base: base.config,
    errors,
    readOnly: false,
    set: (path, value) => {
      setDraft((d) => setIn(d, path, value));
      // An edited field's old error no longer applies.
      setErrors((e) =>
        Object.fromEntries(
          Object.entries(e).filter(([k]) => k !== path && !k.startsWith(`${path}.`)),
        ),
      );
    },
  };

  function review() {
    const parsed = parseConfigInput(draft);
    if (!parsed.ok) {
      setErrors(
        parsed.formError
          ? { ...parsed.fieldErrors, _form: [parsed.formError] }
          : parsed.fieldErrors,
      );
      setErrorMessage('Some settings need your attention before you can save.');
      reveal.current = 'summary';
      return;
    }
    setErrors({});
    setErrorMessage('');
    setReviewing(true);
  }

  function reapply(c: ConfigConflict) {
    const rebased = rebaseDraft<ConfigInput>(base.config, draft, c.head.config);
    setBase({ version: c.head.version, config: c.head.config });
    setDraft(rebased);
    setConflict(null);
    if (diffConfigs(c.head.config, rebased).length === 0) {
      toast(`Your changes are already in v${c.head.version}; nothing left to save.`, 'info');
      return;
    }
    toast(`Your changes are now on top of v${c.head.version}. Review them before saving.`, 'info');
    const parsed = parseConfigInput(rebased);
    if (parsed.ok) setReviewing(true);
    else review();
  }

  function discard(c: ConfigConflict | null) {
    const to = c ? { version: c.head.version, config: c.head.config } : base;
    setBase(to);
    setDraft(to.config);
    setConflict(null);
    setErrors({});
    setErrorMessage('');
  }

  const errorCount = Object.keys(errors).length;
  return (
    <EditorContext.Provider value={editor}>
      <div className="space-y-6 pb-24" data-hydrated={hydrated || undefined}>
        {conflict && (
          <div ref={conflictRef} className="scroll-mt-6">
            <ConflictPanel
              conflict={conflict}
              onReapply={() => reapply(conflict)}
              onDiscard={() => discard(conflict)}
            />
          </div>
        )}
        {errorCount > 0 && (
          <ErrorSummary ref={summaryRef} errors={errors} draft={draft} message={errorMessage} />
        )}
        <AppSections />
      </div>

      <div className="fixed inset-x-0 bottom-0 z-10 border-t border-slate-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <p className="text-sm text-slate-600" aria-live="polite">
            {dirty
              ? `${changes.length} unsaved change${changes.length === 1 ? '' : 's'} to v${base.version}`
              : `No changes to v${base.version} yet`}
          </p>
          <div className="flex gap-2">
            <Button variant="ghost" onClick={() => discard(null)} disabled={!dirty}>
              Discard changes
            </Button>
            <Button onClick={review} disabled={!dirty}>
              Review changes
            </Button>
          </div>
        </div>
      </div>

      <ReviewDialog
        open={reviewing}
        onClose={() => setReviewing(false)}
        appId={appId}
        baseVersion={base.version}
        draft={draft}
        changes={changes}
        action={action}
        pending={pending}
        result={result}
      />
    </EditorContext.Provider>
  );
}
