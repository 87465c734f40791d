import { describe, expect, it } from 'vitest';
import { importCycles, readImports, type SourceImports } from './import-graph.ts';

const repoRoot = new URL('..', import.meta.url).pathname;
const productPackages = ['protocol', 'node-kit', 'simulator', 'device', 'fleet'] as const;
/** Entry points that run the product with test rigs (`npm start`, `npm run demo:locker`): never built or released. */
const demoEntryPoints = ['fleet/src/demo/', 'fleet/src/cli/demo.ts', 'device/src/cli/locker-demo.ts'];

const isProduction = (source: SourceImports) =>
  !source.file.endsWith('.test.ts') && !demoEntryPoints.some((demo) => source.file.startsWith(demo));
const productionOf = (pkg: (typeof productPackages)[number]) =>
  readImports(repoRoot, [`${pkg}/src`]).filter(isProduction);
const importing = (sources: SourceImports[], matches: (specifier: string) => boolean) =>
  sources.flatMap((source) =>
    [...source.packages, ...source.files].filter(matches).map((specifier) => `${source.file} → ${specifier}`),
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

  it('no package has an import cycle among its files', () => {
    for (const pkg of productPackages) expect(importCycles(productionOf(pkg)), pkg).toEqual([]);
  });
});
