import 'server-only';

/** Comment lines keep proxies from closing an idle stream and let the browser notice a dead one. */
export const HEARTBEAT_MS = 15_000;

export type SendEvent = (event: string, data: unknown) => void;

/**
 * A Server-Sent Events response. `open` starts listening and returns its cleanup, which runs
 * exactly once: when the client disconnects (the request's signal), when the stream is cancelled,
 * or when writing fails. Nothing of the stream outlives its connection.
 */
export function eventStream(
  request: Request,
  open: (send: SendEvent) => () => void,
  { heartbeatMs = HEARTBEAT_MS }: { heartbeatMs?: number } = {},
): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => void) | null = null;
  const close = () => {
    const run = cleanup;
    cleanup = null;
    run?.();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let writable = true;
      const write = (text: string) => {
        if (!writable) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      const onAbort = () => {
        close();
        try {
          controller.close();
        } catch {
          // Already closed by the runtime.
        }
      };
      let stopListening = () => {};
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      cleanup = () => {
        writable = false;
        clearInterval(heartbeat);
        stopListening();
        request.signal.removeEventListener('abort', onAbort);
      };
      stopListening = open((event, data) =>
        write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      );
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener('abort', onAbort, { once: true });
    },
    cancel() {
      close();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
