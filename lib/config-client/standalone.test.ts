import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The config client can be published as a package of its own, together with the public
 * contract it shares with Propagate. This compiles it from its entry point alone, without the
 * project's `@/` alias or tsconfig, and checks that nothing else of the app comes along.
 */
const root = path.resolve(import.meta.dirname, '../..');
const allowedFolders = ['lib/config-client/', 'lib/contract/'];
const allowedPackages = (specifier: string) =>
  specifier === 'ioredis' || specifier.startsWith('node:');

describe('the config client, built alone', () => {
  const program = ts.createProgram([path.join(root, 'lib/config-client/index.ts')], {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
  });
  const ownFiles = program
    .getSourceFiles()
    .filter((f) => !f.fileName.includes('/node_modules/'))
    .map((f) => ({ file: f, rel: path.relative(root, f.fileName) }));

  it('type-checks without errors', { timeout: 60_000 }, () => {
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('pulls in only its own folder and the public contract', () => {
    expect(ownFiles.length).toBeGreaterThan(5);
    for (const { rel } of ownFiles) {
      expect(
        allowedFolders.some((f) => rel.startsWith(f)),
        rel,
      ).toBe(true);
    }
  });

  it('uses no package but ioredis and Node built-ins', () => {
    for (const { file, rel } of ownFiles) {
      for (const statement of file.statements) {
        if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
        const spec = statement.moduleSpecifier;
        if (!spec || !ts.isStringLiteral(spec) || spec.text.startsWith('.')) continue;
        expect(allowedPackages(spec.text), `${rel} imports ${spec.text}`).toBe(true);
      }
    }
  });
});
