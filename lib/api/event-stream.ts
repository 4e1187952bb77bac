import 'server-only';

/** Comment lines keep proxies from closing an idle stream and let the browser notice a dead one. */
export const HEARTBEAT_MS = 15_000;

/**
 * What a stream holds for a client before it stops taking more: past this the runtime's queue is
 * full and frames wait here (a keyed frame replacing the one with its key), and a client whose
 * waiting frames pass MAX_WAITING_BYTES cannot keep up and is disconnected (EventSource
 * reconnects and starts from a fresh state). Either way one slow client never costs more than
 * this, and the others do not wait for it.
 */
const QUEUE_BYTES = 64 * 1024;
const MAX_WAITING_BYTES = 1024 * 1024;

/** One encoded event. */
export interface EventFrame {
  readonly bytes: Uint8Array;
  /**
   * Frames with the same key supersede each other: while the client is behind only the newest is
   * kept (an event that carries a whole state). Unkeyed frames are all delivered, in order.
   */
  readonly key?: string;
}

export type SendEvent = (frame: EventFrame) => void;

const encoder = new TextEncoder();

export function eventFrame(event: string, data: unknown, key?: string): EventFrame {
  return jsonEventFrame(event, JSON.stringify(data), key);
}

/** A frame of data already serialised (one line of JSON). */
export function jsonEventFrame(event: string, json: string, key?: string): EventFrame {
  return { bytes: encoder.encode(`event: ${event}\ndata: ${json}\n\n`), key };
}

const sharedFrames = new WeakMap<object, Map<string, EventFrame>>();

/**
 * The frame of `data`, encoded once however many streams send it (a thousand watchers of one
 * app get the observer's one status object). `data` must not change once framed.
 */
export function sharedEventFrame(event: string, data: object, key?: string): EventFrame {
  let byEvent = sharedFrames.get(data);
  if (!byEvent) sharedFrames.set(data, (byEvent = new Map<string, EventFrame>()));
  const id = `${event}\n${key ?? ''}`;
  let frame = byEvent.get(id);
  if (!frame) byEvent.set(id, (frame = eventFrame(event, data, key)));
  return frame;
}

const HEARTBEAT: EventFrame = { bytes: encoder.encode(': heartbeat\n\n'), key: '\0heartbeat' };

/**
 * A Server-Sent Events response. `open` starts listening and returns its cleanup, which runs
 * exactly once: when the client disconnects (the request's signal), when the stream is cancelled,
 * when writing fails, or when the client falls too far behind. Nothing of the stream outlives its
 * connection, and sending never blocks the sender.
 */
export function eventStream(
  request: Request,
  open: (send: SendEvent) => () => void,
  { heartbeatMs = HEARTBEAT_MS }: { heartbeatMs?: number } = {},
): Response {
  let cleanup: (() => void) | null = null;
  const close = () => {
    const run = cleanup;
    cleanup = null;
    run?.();
  };
  // Frames the runtime's queue had no room for, oldest first; unkeyed ones under unique keys.
  const waiting = new Map<string | symbol, EventFrame>();
  let waitingBytes = 0;
  let flushWaiting = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let writable = true;
        const enqueue = (bytes: Uint8Array) => {
          try {
            controller.enqueue(bytes);
          } catch {
            close();
          }
        };
        const end = () => {
          close();
          try {
            controller.close();
          } catch {
            // Already closed by the runtime.
          }
        };
        flushWaiting = () => {
          for (const [key, frame] of waiting) {
            if (!writable || (controller.desiredSize ?? 0) <= 0) return;
            waiting.delete(key);
            waitingBytes -= frame.bytes.byteLength;
            enqueue(frame.bytes);
          }
        };
        const write = (frame: EventFrame) => {
          if (!writable) return;
          if (waiting.size === 0 && (controller.desiredSize ?? 0) > 0) {
            enqueue(frame.bytes);
            return;
          }
          const key = frame.key ?? Symbol();
          const superseded = waiting.get(key);
          if (superseded) waitingBytes -= superseded.bytes.byteLength;
          // Deleted first so the newest goes behind everything sent before it.
          waiting.delete(key);
          waiting.set(key, frame);
          waitingBytes += frame.bytes.byteLength;
          if (waitingBytes > MAX_WAITING_BYTES) end();
          // Room made by a read whose pull has not run yet: no frame waits for the next read.
          else flushWaiting();
        };
        let stopListening = () => {};
        const heartbeat = setInterval(() => write(HEARTBEAT), heartbeatMs);
        cleanup = () => {
          writable = false;
          clearInterval(heartbeat);
          waiting.clear();
          waitingBytes = 0;
          stopListening();
          request.signal.removeEventListener('abort', end);
        };
        const stop = open(write);
        // Ended while opening (a first burst past the limit): nothing may keep listening.
        if (writable) stopListening = stop;
        else stop();
        if (request.signal.aborted) end();
        else request.signal.addEventListener('abort', end, { once: true });
      },
      pull() {
        flushWaiting();
      },
      cancel() {
        close();
      },
    },
    { highWaterMark: QUEUE_BYTES, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
