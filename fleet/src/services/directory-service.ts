import type { FleetStore } from '../store/fleet-store.ts';
import { FleetError } from './fleet-errors.ts';

const idPattern = /^[a-z][a-z0-9-]{1,39}$/;

/** Municipalities and their sites, added by administrators, audited. */
export class DirectoryService {
  constructor(private readonly store: FleetStore) {}

  add(id: string, name: string, actor: string): void {
    if (!idPattern.test(id))
      throw new FleetError(
        'MUNICIPALITY_ID_INVALID',
        'a municipality id is 2–40 characters of a-z, 0-9 and -',
      );
    if (this.store.directory.municipality(id))
      throw new FleetError('MUNICIPALITY_EXISTS', `municipality ${id} exists`);
    this.store.transaction(() => {
      this.store.directory.upsertMunicipality(id, name);
      this.store.audit.append({
        actor,
        action: 'municipality.add',
        municipalityId: id,
        target: id,
        data: { name },
      });
    });
  }

  addSite(site: { id: string; municipalityId: string; name: string; address: string }, actor: string): void {
    if (!idPattern.test(site.id))
      throw new FleetError('SITE_ID_INVALID', 'a site id is 2–40 characters of a-z, 0-9 and -');
    if (!this.store.directory.municipality(site.municipalityId))
      throw new FleetError('NOT_FOUND', `municipality ${site.municipalityId} does not exist`);
    this.store.transaction(() => {
      this.store.directory.upsertSite(site);
      this.store.audit.append({
        actor,
        action: 'site.add',
        municipalityId: site.municipalityId,
        target: site.id,
        data: { name: site.name },
      });
    });
  }
}
