import { afterAll, beforeAll } from 'vitest';
import { ensureIndexes } from '@/lib/db/collections';
import { getDb } from '@/lib/db/mongo';
import { createObserver } from '@/lib/propagation/observer/instance';
import type { StatusObserver } from '@/lib/propagation/observer/observer';
import { closeStores } from '@/test/helpers/stores';

/**
 * An observer of the test's own, as a second server process has one: it scans and reconciles
 * every `scanMs` (often, so a test sees a missed message soon) and logs nothing.
 */
export function testObserver(scanMs = 300): StatusObserver {
  return createObserver({ scanMs, reconcileMs: scanMs, log: () => {} });
}

/**
 * For a suite on a database of its own (declareClusterDeployment, declareTwoDeployments): one
 * observer for the whole suite, ready before its first test. After the last, the observer stops,
 * the suite's database is dropped and every connection closed; the suite's own afterAll hooks,
 * registered after this call, run before that.
 */
export function suiteObserver(): () => StatusObserver {
  let observer: StatusObserver | undefined;
  beforeAll(async () => {
    await ensureIndexes();
    observer = testObserver();
    await observer.ready();
  });
  afterAll(async () => {
    await observer?.stop();
    await (await getDb()).dropDatabase();
    await closeStores({ subscribers: true });
  });
  return () => {
    if (!observer) throw new Error('the suite observer is started in beforeAll');
    return observer;
  };
}
