import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One source file and what it imports: package names as written, relative imports as repository paths. */
export interface SourceImports {
  /** Repository path, e.g. `fleet/src/fleet.ts`. */
  file: string;
  packages: string[];
  files: string[];
}

// static `import … from`, `export … from`, side-effect `import '…'` and dynamic `import('…')`
const specifierPattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)'([^']+)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Reads every `.ts` file under `dirs` (repository paths) and lists its imports, found by their text. */
export function readImports(repoRoot: string, dirs: readonly string[]): SourceImports[] {
  return dirs.flatMap((dir) =>
    sourceFiles(join(repoRoot, dir)).map((path) => {
      const specifiers = [...readFileSync(path, 'utf8').matchAll(specifierPattern)].map((match) => match[1]!);
      return {
        file: relative(repoRoot, path),
        packages: [...new Set(specifiers.filter((specifier) => !specifier.startsWith('.')))],
        files: [
          ...new Set(
            specifiers
              .filter((specifier) => specifier.startsWith('.'))
              .map((specifier) => relative(repoRoot, resolve(dirname(path), specifier))),
          ),
        ],
      };
    }),
  );
}
/** The import cycles among `sources`' relative imports, each as the files around it (first file repeated at the end). */
export function importCycles(sources: readonly SourceImports[]): string[][] {
  const edges = new Map(sources.map((source) => [source.file, source.files]));
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, path: string[]) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      cycles.push([...path.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
    done.add(file);
  };
  for (const file of edges.keys()) visit(file, []);
  return cycles;
}
