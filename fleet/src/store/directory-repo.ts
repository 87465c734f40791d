import type Database from 'better-sqlite3';
import type { ItemType } from '../domain/item-types.ts';

/** Municipalities, their sites, and the item types with their policies. */
export class DirectoryRepo {
  constructor(private readonly db: Database.Database) {}

  upsertMunicipality(id: string, name: string): void {
    this.db
      .prepare(
        'INSERT INTO municipalities (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name',
      )
      .run(id, name);
  }

  municipalities(): { id: string; name: string }[] {
    return this.db.prepare('SELECT id, name FROM municipalities ORDER BY name').all() as {
      id: string;
      name: string;
    }[];
  }

  municipality(id: string): { id: string; name: string } | undefined {
    return this.db.prepare('SELECT id, name FROM municipalities WHERE id = ?').get(id) as
      | { id: string; name: string }
      | undefined;
  }

  upsertSite(site: { id: string; municipalityId: string; name: string; address: string }): void {
    this.db
      .prepare(
        `INSERT INTO sites (id, municipality_id, name, address) VALUES (@id, @municipalityId, @name, @address)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address`,
      )
      .run(site);
  }

  site(id: string): { id: string; municipalityId: string; name: string; address: string } | undefined {
    return this.db
      .prepare('SELECT id, municipality_id AS municipalityId, name, address FROM sites WHERE id = ?')
      .get(id) as { id: string; municipalityId: string; name: string; address: string } | undefined;
  }

  upsertItemType(t: ItemType): void {
    this.db
      .prepare(
        `INSERT INTO item_types (id, names, kind, two_factor, days_to_collect, days_to_return, size)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET names = excluded.names, kind = excluded.kind, two_factor = excluded.two_factor,
           days_to_collect = excluded.days_to_collect, days_to_return = excluded.days_to_return, size = excluded.size`,
      )
      .run(
        t.id,
        JSON.stringify(t.names),
        t.kind,
        t.twoFactor ? 1 : 0,
        t.daysToCollect,
        t.daysToReturn,
        t.size,
      );
  }

  itemTypes(): ItemType[] {
    return (
      this.db
        .prepare(
          'SELECT id, names, kind, two_factor AS twoFactor, days_to_collect AS daysToCollect, days_to_return AS daysToReturn, size FROM item_types ORDER BY id',
        )
        .all() as (Omit<ItemType, 'names' | 'twoFactor'> & { names: string; twoFactor: number })[]
    ).map((r) => ({ ...r, names: JSON.parse(r.names) as ItemType['names'], twoFactor: r.twoFactor === 1 }));
  }

  itemType(id: string): ItemType | undefined {
    return this.itemTypes().find((t) => t.id === id);
  }
}
