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

const EVENT_NAMES = ['status', 'head', 'region', 'arrival', 'tick', 'fleet', 'regions'] as const;
const RETRY_MS = 5_000;

interface Shared {
  source: EventSource | null;
  state: StreamState;
  refs: number;
  watchers: Set<() => void>;
  handlers: Set<{ current: Handler }>;
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
      for (const handler of shared.handlers) handler.current(name, data);
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

/** Listens to `url` while mounted; `onEvent` may change between renders. */
export function useEventStream(url: string, onEvent: Handler): StreamState {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  // Stable per URL: a new subscribe function would make React re-subscribe on every render,
  // closing and reopening the stream each time.
  const subscribe = useCallback(
    (notify: () => void) => {
      const shared = acquire(url);
      shared.watchers.add(notify);
      shared.handlers.add(handler);
      return () => {
        shared.watchers.delete(notify);
        shared.handlers.delete(handler);
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
