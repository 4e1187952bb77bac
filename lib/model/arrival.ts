/**
 * One measured arrival: when a version of an app reached a region. Pure, so the recorder, the
 * worker and the data layer share it without depending on each other.
 */
export interface NewArrival {
  appId: string;
  version: number;
  region: string;
  committedAt: Date;
  arrivedAt: Date;
  /** arrivedAt − committedAt. */
  latencyMs: number;
  method: 'pubsub' | 'poll';
}

/** Identifies one measurement: a version of an app in a region. */
export function arrivalKey(appId: string, version: number, region: string): string {
  return `${appId}@${version}@${region}`;
}
