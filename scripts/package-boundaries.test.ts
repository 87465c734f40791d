import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { importCycles, readImports, type SourceImports } from './import-graph.ts';

const repoRoot = new URL('..', import.meta.url).pathname;
const productPackages = ['protocol', 'node-kit', 'simulator', 'device', 'fleet'] as const;
/** Entry points that run the product with test rigs (`npm start`, `npm run demo:locker`): never built or released. */
const demoEntryPoints = ['fleet/src/demo/', 'fleet/src/cli/demo.ts', 'device/src/cli/locker-demo.ts'];

// fakes of a package's internal interfaces for its own unit tests (any `testing/` folder): never built or released
const isTestSupport = (file: string) => file.endsWith('.test.ts') || file.includes('/testing/');
const isProduction = (source: SourceImports) =>
  !isTestSupport(source.file) && !demoEntryPoints.some((demo) => source.file.startsWith(demo));
const productionOf = (pkg: (typeof productPackages)[number]) =>
  readImports(repoRoot, [`${pkg}/src`]).filter(isProduction);
const importing = (
  sources: SourceImports[],
  matches: (specifier: string) => boolean,
  specifiers = (source: SourceImports) => [...source.packages, ...source.files],
) =>
  sources.flatMap((source) =>
    specifiers(source)
      .filter(matches)
      .map((specifier) => `${source.file} → ${specifier}`),
  );

/** `@scope/name/sub/path` → `@scope/name`, `name/sub` → `name`. */
const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const dependenciesOf = (pkg: string) =>
  Object.keys(
    (JSON.parse(readFileSync(`${repoRoot}/${pkg}/package.json`, 'utf8')) as { dependencies?: object })
      .dependencies ?? {},
  );

describe('package boundaries of production code (tests and demo entry points aside)', () => {
  it('no product package imports the test kit', () => {
    const sources = productPackages.flatMap(productionOf);
    expect(sources.length).toBeGreaterThan(100);
    const isTestKit = (specifier: string) =>
      specifier === '@locker/test-kit' ||
      specifier.startsWith('@locker/test-kit/') ||
      specifier.startsWith('test-kit/');
    expect(importing(sources, isTestKit)).toEqual([]);
  });

  it('the fleet does not import the locker runtime', () => {
    const isDevice = (specifier: string) =>
      specifier === '@locker/device' ||
      specifier.startsWith('@locker/device/') ||
      specifier.startsWith('device/');
    expect(importing(productionOf('fleet'), isDevice)).toEqual([]);
  });

  it("every package a production file imports is among its own package's dependencies (not a devDependency)", () => {
    for (const pkg of productPackages) {
      const declared = dependenciesOf(pkg);
      const undeclared = (specifier: string) =>
        !specifier.startsWith('node:') &&
        !builtinModules.includes(specifier) &&
        !declared.includes(packageName(specifier));
      expect(
        importing(productionOf(pkg), undeclared, (source) => source.packages),
        pkg,
      ).toEqual([]);
    }
  });

  it('no package has an import cycle among its files', () => {
    for (const pkg of productPackages) expect(importCycles(productionOf(pkg)), pkg).toEqual([]);
  });
});
