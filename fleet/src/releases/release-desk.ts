import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { SignedManifest } from '@locker/protocol';
import { FleetError, notFound } from '../services/fleet-errors.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { ReleaseFiles } from './release-files.ts';
import type { ReleaseRecord, ReleaseRepo } from './release-repo.ts';
import type { RolloutService } from './rollout-service.ts';

/** A release as listed: its manifest's key id instead of the whole signed manifest. */
export type ReleaseView = Omit<ReleaseRecord, 'signed'> & { keyId: string };

export interface ReleaseDeskDeps {
  store: FleetStore;
  releases: ReleaseRepo;
  files: ReleaseFiles;
  rollouts: Pick<RolloutService, 'overview'>;
}

/** The release side of the HTTP routes: uploads (file kept, row and audit entry in one transaction), lists, downloads. */
export class ReleaseDesk {
  constructor(private readonly deps: ReleaseDeskDeps) {}

  /**
   * Keeps a locker artifact whose bytes are the signed manifest's (streamed to its file first), then
   * records it and its audit entry together.
   */
  async upload(version: string, signed: SignedManifest, body: Readable | undefined, by: string) {
    const { store, releases, files } = this.deps;
    const { manifest } = signed;
    if (manifest.role !== 'locker' || manifest.version !== version)
      throw new FleetError(
        'RELEASE_MANIFEST_MISMATCH',
        `the manifest is for ${manifest.role} ${manifest.version}, not locker ${version}`,
      );
    if (releases.get(manifest.version))
      throw new FleetError('RELEASE_EXISTS', `release ${manifest.version} is already uploaded`);
    if (!body) throw new FleetError('RELEASE_BODY_MISSING');
    await files.save(manifest.version, body, manifest);
    const at = new Date().toISOString();
    store.transaction(() => {
      releases.add({
        version: manifest.version,
        role: 'locker',
        sha256: manifest.sha256,
        size: manifest.size,
        signed,
        uploadedBy: by,
        uploadedAt: at,
      });
      store.audit.append(
        {
          actor: by,
          action: 'release.upload',
          municipalityId: null,
          target: manifest.version,
          data: { sha256: manifest.sha256, size: manifest.size, keyId: signed.keyId },
        },
        at,
      );
    });
    return { version: manifest.version, sha256: manifest.sha256, size: manifest.size, keyId: signed.keyId };
  }

  list(): ReleaseView[] {
    return this.deps.releases.list().map(({ signed, ...release }) => ({ ...release, keyId: signed.keyId }));
  }

  /** The file of an uploaded locker release and its size; NOT_FOUND when there is none. */
  artifact(version: string): { path: string; size: number } {
    const { releases, files } = this.deps;
    const release = releases.get(version);
    if (release?.role !== 'locker' || !files.has(release.version)) throw notFound(`release ${version}`);
    const path = files.path(release.version);
    return { path, size: statSync(path).size };
  }

  /** Rollouts with only the lockers of municipalities `maySee` allows; rollouts left with none are left out. */
  rollouts(maySee: (municipalityId: string) => boolean) {
    const { store, rollouts } = this.deps;
    return rollouts
      .overview()
      .map((rollout) => ({
        ...rollout,
        lockers: rollout.lockers.filter((l) => {
          const locker = store.lockers.get(l.lockerId);
          return locker !== undefined && maySee(locker.municipalityId);
        }),
      }))
      .filter((rollout) => rollout.lockers.length > 0);
  }
}
