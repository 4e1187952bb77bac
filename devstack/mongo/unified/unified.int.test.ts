/**
 * MongoDB's Unified Test Format, run through the official driver against the dev server (and
 * against MONGODB_URI when set): our own CRUD and aggregation tests always, the dev server's
 * documented refusals against the dev server only, and MongoDB's CRUD specification files when
 * MONGO_SPEC_DIR points at them (see README.md in this folder).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { start } from '../server.js';
import { loadTestFile } from './test-file.js';
import { type Target, evaluate, openTarget, testFiles } from './suite.js';

const here = import.meta.dirname;
const suites: Array<{ name: string; dir: string; devServerOnly: boolean }> = [
  { name: 'own tests', dir: path.join(here, 'tests'), devServerOnly: false },
  { name: 'dev server refusals', dir: path.join(here, 'dev-server-refusals'), devServerOnly: true },
];
if (process.env.MONGO_SPEC_DIR)
  suites.push({
    name: 'CRUD specification',
    dir: process.env.MONGO_SPEC_DIR,
    devServerOnly: false,
  });

const targets: Array<{ name: string; uri?: string }> = [{ name: 'dev server (in process)' }];
if (process.env.MONGODB_URI) targets.push({ name: 'MONGODB_URI', uri: process.env.MONGODB_URI });

describe.each(targets)('unified tests against $name', ({ uri }) => {
  let target: Target;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let address = uri;
    if (!address) {
      const server = await start({ port: 0 });
      address = server.uri;
      stop = () => server.stop();
    }
    target = await openTarget(address);
  });

  afterAll(async () => {
    await target?.internal.close();
    await stop?.();
  });

  for (const suite of suites) {
    describe(suite.name, () => {
      for (const filePath of testFiles(suite.dir)) {
        const file = loadTestFile(filePath);
        describe(path.basename(filePath), () => {
          for (const test of file.tests) {
            it(test.description, async (ctx) => {
              if (suite.devServerOnly && !target.devServer) ctx.skip('dev server refusals only');
              const outcome = await evaluate(filePath, file, test, target);
              if (outcome.status === 'skipped') ctx.skip(outcome.reason);
              if (outcome.status === 'failed') throw new Error(outcome.reason);
            });
          }
        });
      }
    });
  }
});
