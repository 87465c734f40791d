import { randomUUID } from 'node:crypto';
import { newApiToken } from '../http/auth.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { Role, TokenRecord } from '../store/user-repo.ts';
import { FleetError, notFound } from './fleet-errors.ts';

/** Integration API tokens: created (shown once), listed, revoked; every step audited. */
export class TokenService {
  constructor(private readonly store: FleetStore) {}

  create(
    input: { name: string; role: Role; municipalities: string[]; ownerUserId: string | null },
    actor: string,
  ): { id: string; token: string } {
    const { token, hash } = newApiToken();
    const id = randomUUID();
    this.store.transaction(() => {
      this.store.users.insertToken({
        id,
        tokenHash: hash,
        ...input,
        createdAt: new Date().toISOString(),
      });
      this.store.audit.append({
        actor,
        action: 'token.create',
        municipalityId: input.municipalities[0] ?? null,
        target: id,
        data: { name: input.name, role: input.role },
      });
    });
    return { id, token };
  }

  list(): TokenRecord[] {
    return this.store.users.tokens();
  }

  /** Revokes a token: the next request that carries it gets 401 `TOKEN_INVALID`. */
  revoke(id: string, reason: string, actor: string): TokenRecord {
    const token = this.store.users.token(id);
    if (!token) throw notFound(`token ${id}`);
    const at = new Date().toISOString();
    this.store.transaction(() => {
      if (!this.store.users.revokeToken(id, actor, at))
        throw new FleetError('TOKEN_ALREADY_REVOKED', `token ${id} is already revoked`);
      this.store.audit.append({
        actor,
        action: 'token.revoke',
        municipalityId: token.municipalities[0] ?? null,
        target: id,
        data: { name: token.name, reason },
      });
    });
    return { ...token, revoked: true, revokedAt: at, revokedBy: actor };
  }
}
