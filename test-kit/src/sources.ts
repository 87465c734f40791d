/** The command lines the rigs start as real processes, from their TypeScript sources (run with tsx). */
export const cliSources = {
  device: new URL('../../device/src/cli/device.ts', import.meta.url).pathname,
  fleet: new URL('../../fleet/src/cli/fleet.ts', import.meta.url).pathname,
} as const;
