'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { cn } from '@/lib/cn';
import { timeAgo } from '@/lib/format-time';

interface Found {
  version: number;
  message: string;
  author: { name: string };
  createdAt: string;
}

type Lookup =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; items: Found[] }
  | { state: 'failed' };

const LIMIT = 8;

const labelOf = (v: number, message?: string) => (message ? `v${v} · ${message}` : `v${v}`);

/**
 * Picks one version of an app by searching for it: type a number (17, v4990) or words from a
 * message or an author, and matching versions arrive from the versions route, a few at a time.
 * An ARIA combobox: arrows move through the list, Enter picks, Escape closes; the result count
 * is announced. The chosen number travels in a hidden field named `name`, so the surrounding
 * GET form works as before.
 */
export function VersionPicker({
  appId,
  name,
  label,
  defaultVersion,
}: {
  appId: string;
  name: string;
  label: string;
  defaultVersion: number;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const [chosen, setChosen] = useState(defaultVersion);
  const [text, setText] = useState(labelOf(defaultVersion));
  const [query, setQuery] = useState<string | null>(null);
  const [lookup, setLookup] = useState<Lookup>({ state: 'idle' });
  const [active, setActive] = useState(0);
  const open = query !== null;
  const items = lookup.state === 'done' ? lookup.items : [];
  const blurTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // Typing before React takes the field over would be lost; the marker tells automated checks.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  useEffect(() => {
    if (query === null) return;
    const controller = new AbortController();
    // Typing fast sends one request when the typing pauses, not one per key.
    const timer = setTimeout(() => {
      setLookup({ state: 'loading' });
      const params = new URLSearchParams({ limit: String(LIMIT) });
      if (query.trim()) params.set('q', query.trim());
      fetch(`/api/apps/${encodeURIComponent(appId)}/versions?${params}`, {
        signal: controller.signal,
        headers: { accept: 'application/json' },
      })
        .then(async (response) => {
          if (!response.ok) throw new Error(String(response.status));
          const body = (await response.json()) as { items: Found[] };
          setLookup({ state: 'done', items: body.items });
          setActive(0);
        })
        .catch(() => {
          if (!controller.signal.aborted) setLookup({ state: 'failed' });
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [appId, query]);

  function pick(found: Found) {
    setChosen(found.version);
    setText(labelOf(found.version, found.message));
    setQuery(null);
  }

  function close() {
    setQuery(null);
    setText((current) => (current.startsWith(`v${chosen}`) ? current : labelOf(chosen)));
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) {
        setQuery('');
        return;
      }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      if (items.length > 0) setActive((i) => (i + step + items.length) % items.length);
    } else if (event.key === 'Enter' && open) {
      // Enter in an open list picks; it submits the form only once the list is closed.
      event.preventDefault();
      const found = items[active];
      if (found) pick(found);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      close();
    }
  }

  const status =
    lookup.state === 'loading'
      ? 'Searching…'
      : lookup.state === 'failed'
        ? 'The versions could not be loaded. Try again.'
        : lookup.state === 'done'
          ? items.length === 0
            ? 'No version matches.'
            : `${items.length}${items.length === LIMIT ? ' or more' : ''} versions found.`
          : '';

  return (
    <div className="relative w-72 space-y-1" data-hydrated={hydrated || undefined}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input type="hidden" name={name} value={chosen} />
      <input
        id={id}
        type="text"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && items[active] ? `${id}-opt-${active}` : undefined}
        aria-describedby={`${id}-hint`}
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setQuery(event.target.value);
        }}
        onFocus={(event) => event.target.select()}
        onClick={() => !open && setQuery('')}
        onKeyDown={onKeyDown}
        onBlur={() => {
          // A click on an option blurs the input first: let the click land before closing.
          blurTimer.current = setTimeout(close, 150);
        }}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs"
      />
      <p id={`${id}-hint`} className="sr-only">
        Type a version number, or words from a message or an author.
      </p>
      <p aria-live="polite" className="sr-only">
        {open ? status : ''}
      </p>
      <ul
        id={listId}
        role="listbox"
        aria-label={`${label}: matching versions`}
        hidden={!open}
        className="absolute z-20 mt-1 max-h-80 w-96 overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
      >
        {items.map((found, index) => (
          <li
            key={found.version}
            id={`${id}-opt-${index}`}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => {
              clearTimeout(blurTimer.current);
              pick(found);
            }}
            onMouseEnter={() => setActive(index)}
            className={cn(
              'cursor-pointer px-3 py-1.5',
              index === active ? 'text-brand-900 bg-brand-50' : 'text-slate-800',
            )}
          >
            <span className="font-medium tabular-nums">v{found.version}</span>{' '}
            <span className="text-slate-700">{found.message || 'No message'}</span>
            <span className="block text-xs text-slate-500">
              {found.author.name} · {timeAgo(Date.parse(found.createdAt))}
            </span>
          </li>
        ))}
        {open && lookup.state !== 'done' && (
          <li className="px-3 py-1.5 text-slate-500" aria-hidden>
            {status || 'Searching…'}
          </li>
        )}
        {open && lookup.state === 'done' && items.length === 0 && (
          <li className="px-3 py-1.5 text-slate-500" aria-hidden>
            No version matches “{query}”.
          </li>
        )}
      </ul>
    </div>
  );
}
