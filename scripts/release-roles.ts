/** What one installable release holds: built workspaces, systemd units and example configs. */
export interface ReleaseRole {
  name: 'locker' | 'fleet';
  /** The workspace whose version names the release. */
  versionOf: string;
  /** Workspaces shipped as built JavaScript (their `dist/` and a production `package.json`). */
  workspaces: string[];
  /** Repository paths of the systemd units, shipped under `systemd/`. */
  units: string[];
  /** Repository paths of the example configs, shipped under `examples/`. */
  examples: string[];
}

export const releaseRoles: readonly ReleaseRole[] = [
  {
    name: 'locker',
    versionOf: 'device',
    workspaces: ['protocol', 'node-kit', 'device'],
    units: ['hardware-docs/locker-pc/locker.service', 'hardware-docs/locker-pc/kiosk.service'],
    examples: ['hardware-docs/locker-pc/locker.example.yaml'],
  },
  {
    name: 'fleet',
    versionOf: 'fleet',
    workspaces: ['protocol', 'node-kit', 'fleet'],
    units: ['hardware-docs/fleet/fleet.service'],
    examples: ['hardware-docs/fleet/fleet.example.yaml'],
  },
];
