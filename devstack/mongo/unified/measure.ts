/**
 * Prints the pass rate of a directory of Unified Test Format files:
 *   node --import tsx devstack/mongo/unified/measure.ts DIR [--uri mongodb://...] [--verbose]
 * Without --uri it starts the dev server in process. One line per test that did not pass, then
 * a summary whose last line reads "N passed, N failed, N skipped".
 */
import { start } from '../server.js';
import { type Outcome, openTarget, runDirectory } from './suite.js';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const uriAt = args.indexOf('--uri');
const verbose = args.includes('--verbose');
if (!dir) {
  console.error('usage: measure.ts DIR [--uri URI] [--verbose]');
  process.exit(2);
}

const server = uriAt >= 0 ? undefined : await start({ port: 0 });
const uri = uriAt >= 0 ? (args[uriAt + 1] as string) : (server?.uri as string);
const target = await openTarget(uri);
const outcomes: Outcome[] = [];
for await (const o of runDirectory(dir, target)) {
  outcomes.push(o);
  if (o.status !== 'passed' && (verbose || o.status !== 'skipped'))
    console.log(`${o.status.toUpperCase()} ${o.file} — ${o.test}: ${o.reason ?? ''}`);
}
await target.internal.close();
await server?.stop();

const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
const passed = count('passed');
const refused = count('refused');
const failed = count('failed');
const applicable = passed + refused + failed;
console.log(
  `\n${target.devServer ? 'dev server' : uri}: ${applicable} applicable tests, ${passed} pass ` +
    `(${((100 * passed) / Math.max(applicable, 1)).toFixed(1)} %), ${refused} documented refusals, ` +
    `${failed} other failures, ${count('skipped')} skipped`,
);
console.log(`${passed} passed, ${failed + refused} failed, ${count('skipped')} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
