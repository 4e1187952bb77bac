'use client';

import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';

/**
 * Server-Sent Events in the browser, one EventSource per URL however many components listen
 * (the apps list has a row per app). `live`: events flow; `connecting`: not yet (the page shows
 * what it rendered with, and does not poll); `down`: the stream failed, the caller polls instead
 * and says so. The browser retries a dropped stream on its own; a refused one (an error status,
 * a blocked request) is retried here every RETRY_MS.
 */
export type StreamState = 'connecting' | 'live' | 'down';

type Handler = (event: string, data: unknown) => void;
/** Handlers with the same `once` key run once per event, whichever component still listens. */
interface HandlerRef {
  current: Handler;
  once?: string;
}

const EVENT_NAMES = ['status', 'head', 'region', 'arrival', 'tick', 'fleet', 'regions'] as const;
const RETRY_MS = 5_000;

interface Shared {
  source: EventSource | null;
  state: StreamState;
  refs: number;
  watchers: Set<() => void>;
  handlers: Set<HandlerRef>;
  retry: ReturnType<typeof setTimeout> | null;
}

const streams = new Map<string, Shared>();

function setState(shared: Shared, state: StreamState) {
  if (shared.state === state) return;
  shared.state = state;
  for (const watcher of shared.watchers) watcher();
}

function open(url: string, shared: Shared) {
  const source = new EventSource(url);
  shared.source = source;
  source.onopen = () => setState(shared, 'live');
  source.onerror = () => {
    setState(shared, 'down');
    if (source.readyState === EventSource.CLOSED && shared.refs > 0) {
      shared.retry = setTimeout(() => {
        shared.retry = null;
        if (shared.refs > 0) open(url, shared);
      }, RETRY_MS);
    }
  };
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (event) => {
      setState(shared, 'live');
      const data: unknown = JSON.parse((event as MessageEvent<string>).data);
      const ran = new Set<string>();
      for (const handler of shared.handlers) {
        if (handler.once !== undefined) {
          if (ran.has(handler.once)) continue;
          ran.add(handler.once);
        }
        handler.current(name, data);
      }
    });
  }
}

function acquire(url: string): Shared {
  let shared = streams.get(url);
  if (!shared) {
    shared = {
      source: null,
      state: 'connecting',
      refs: 0,
      watchers: new Set(),
      handlers: new Set(),
      retry: null,
    };
    streams.set(url, shared);
  }
  shared.refs += 1;
  if (shared.refs === 1) open(url, shared);
  return shared;
}

function release(url: string, shared: Shared) {
  shared.refs -= 1;
  if (shared.refs > 0) return;
  shared.source?.close();
  if (shared.retry) clearTimeout(shared.retry);
  streams.delete(url);
}

/**
 * Listens to `url` while mounted; `onEvent` may change between renders. With `once`, of all the
 * mounted handlers given the same key only one runs per event (one that updates a shared cache,
 * used by every row of a list).
 */
export function useEventStream(
  url: string,
  onEvent: Handler,
  { once }: { once?: string } = {},
): StreamState {
  const handler = useRef<HandlerRef>({ current: onEvent, once });
  useEffect(() => {
    handler.current.current = onEvent;
  });
  // Stable per URL: a new subscribe function would make React re-subscribe on every render,
  // closing and reopening the stream each time.
  const subscribe = useCallback(
    (notify: () => void) => {
      const shared = acquire(url);
      const ref = handler.current;
      shared.watchers.add(notify);
      shared.handlers.add(ref);
      return () => {
        shared.watchers.delete(notify);
        shared.handlers.delete(ref);
        release(url, shared);
      };
    },
    [url],
  );
  return useSyncExternalStore(
    subscribe,
    () => streams.get(url)?.state ?? 'connecting',
    () => 'connecting' as const,
  );
}
