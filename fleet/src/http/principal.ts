import { FleetError } from '../services/fleet-errors.ts';
import type { Role } from '../store/user-repo.ts';

/** Who makes a request: a signed-in staff member or an integration's API token. */
export interface Principal {
  kind: 'user' | 'token';
  id: string;
  display: string;
  role: Role;
  /** Municipality ids, or `*` for every one. */
  municipalities: string[];
}

export function scopeOf(principal: Principal): string[] | 'all' {
  return principal.municipalities.includes('*') ? 'all' : principal.municipalities;
}

export function maySee(principal: Principal, municipalityId: string): boolean {
  return principal.municipalities.includes('*') || principal.municipalities.includes(municipalityId);
}

export function requireRole(principal: Principal | undefined, roles: readonly Role[]): Principal {
  if (!principal) throw new FleetError('AUTH_REQUIRED', 'sign in first (or send an API token)');
  if (!roles.includes(principal.role))
    throw new FleetError(
      'ROLE_FORBIDDEN',
      `this needs the role ${roles.join(' or ')}; you are ${principal.role}`,
    );
  return principal;
}

export const actorName = (p: Principal) => `${p.kind}:${p.id}`;
