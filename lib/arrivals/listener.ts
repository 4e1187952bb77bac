import 'server-only';
import { parseUpdateMessage, UPDATES_CHANNEL } from '@/lib/contract/cache-layout';
import { arrivalOf, type ArrivalRecorder } from '@/lib/arrivals/recorder';
import { closeSubscriber, openSubscriber } from '@/lib/redis/clients';
import { messageMeansArrival, type Region } from '@/lib/regions';

export interface ArrivalListeners {
  /** Regions whose subscription is currently live. */
  subscribed(): string[];
  stop(): Promise<void>;
}

/**
 * One dedicated SUBSCRIBE connection per region (primary included) on the invalidation channel.
 * The push script publishes right after writing, and replication carries both in order, so the
 * moment a replica's message reaches us is the moment that region had the data. Messages sent
 * while we were reconnecting are lost to us; the stamp poller measures those instead.
 */
export function startArrivalListeners({
  regions,
  recorder,
  log,
}: {
  regions: readonly Region[];
  recorder: ArrivalRecorder;
  log: (line: string) => void;
}): ArrivalListeners {
  const live = new Set<string>();
  // A cluster region's message says nothing about its data (lib/regions.ts): the poller measures it.
  const clients = regions.filter(messageMeansArrival).map((region) => {
    const client = openSubscriber(region, 'arrivals');
    let complained = false;
    client.on('error', (error: Error) => {
      if (!complained) log(`arrivals ${region.name}: ${error.message} (reconnecting)`);
      complained = true;
    });
    // ioredis re-subscribes right after every reconnect, so "ready" means listening again.
    client.on('ready', () => {
      complained = false;
      live.add(region.name);
    });
    client.on('close', () => live.delete(region.name));
    client.on('message', (channel: string, raw: string) => {
      const arrivedAt = new Date();
      if (channel !== UPDATES_CHANNEL) return;
      const message = parseUpdateMessage(raw);
      if (message) recorder.record(arrivalOf(message, region.name, arrivedAt, 'pubsub'));
    });
    client
      .subscribe(UPDATES_CHANNEL)
      .catch((error: Error) => log(`arrivals ${region.name}: subscribe failed: ${error.message}`));
    return client;
  });
  return {
    subscribed: () => [...live],
    async stop() {
      await Promise.all(clients.map(closeSubscriber));
    },
  };
}
