import { Acts, badInput, type CoreServices, type Issued, type ProviderDescriptor, type RequestContext } from '../../core';
import type { AccessTokenEntity, PrincipalEntity, RefreshTokenEntity } from '../../entities';
import type { AccessTokenInput, RefreshTokenInput, ServiceAccountInput } from '../provider';

/** The provider's rules behind its acts; the registry has authorized each act before these run. */
export class ExampleService {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  async createServiceAccount(ctx: RequestContext, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>> {
    const name = input.name?.trim();
    if (!name) throw badInput('name is required.', { field: 'name' });
    const [issued] = await this.core.change(ctx, { provider: this.provider, action: Acts.createServiceAccount }, (scope) =>
      this.core.principals.create(scope, this.provider, [
        {
          kind: 'service_account',
          name,
          displayName: input.displayName,
          role: input.role ?? 'MEMBER',
          description: input.description,
          permissions: input.permissions ?? [],
          personaQualifiedNames: input.personaQualifiedNames ?? [],
          secretKind: 'sa',
        },
      ]),
    );
    return issued;
  }

  createRefreshToken(ctx: RequestContext, owner: PrincipalEntity, input: RefreshTokenInput): Promise<Issued<RefreshTokenEntity>> {
    return this.core.change(ctx, { provider: this.provider, action: Acts.createRefreshToken }, (scope) => this.core.tokens.issueRefreshToken(scope, this.provider, owner, input.name));
  }

  createAccessToken(ctx: RequestContext, owner: PrincipalEntity, input: AccessTokenInput, refreshToken: RefreshTokenEntity | null): Promise<Issued<AccessTokenEntity>> {
    if (!refreshToken) throw badInput('refreshTokenId is required.', { field: 'refreshTokenId' });
    return this.core.change(ctx, { provider: this.provider, action: Acts.createAccessToken }, (scope) =>
      this.core.tokens.issueAccessToken(scope, this.provider, owner, { kind: 'access', refreshTokenId: refreshToken.id, replaceExisting: input.regenerate ?? false }),
    );
  }
}
