import type { AuditRecord } from '../store/audit-repo.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { TokenRecord, UserRecord } from '../store/user-repo.ts';

/** What the admin routes read: users, tokens, municipalities, the audit log. */
export class AdminDesk {
  constructor(private readonly store: FleetStore) {}

  user(id: string): UserRecord | undefined {
    return this.store.users.get(id);
  }

  token(id: string): TokenRecord | undefined {
    return this.store.users.token(id);
  }

  municipalities(): { id: string; name: string }[] {
    return this.store.directory.municipalities();
  }

  municipality(id: string): { id: string; name: string } | undefined {
    return this.store.directory.municipality(id);
  }

  audit(filter: { municipalities: readonly string[] | 'all'; limit: number }): AuditRecord[] {
    return this.store.audit.list(filter);
  }
}
