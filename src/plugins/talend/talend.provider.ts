import { badInput, type CoreServices } from '../../core';
import { defineProvider, type ProviderFactory, type ProviderManifest, type ProviderPlugin } from '../provider';
import { SERVICE_ACCOUNT_TOKEN_SECONDS, TALEND_PERMISSIONS, TalendKind, TalendLifespan, talendPolicy, TOKEN_ISSUER_PATHS, TOKEN_TYPE } from './talend.policy';
import { registerTalendRoutes } from './talend.routes';
import { TalendService } from './talend.service';

/**
 * Talend (Qlik Talend Management Console): service accounts with permissions whose id:secret is
 * exchanged for 30-minute signed tokens, and users whose personal access tokens carry their
 * current permissions. See README.md in this folder for the mapping and the choices made.
 */
export const talendManifest: ProviderManifest = {
  id: 'talend',
  displayName: 'Talend',
  lifespans: {
    [TalendLifespan.serviceAccountToken]: SERVICE_ACCOUNT_TOKEN_SECONDS,
    [TalendLifespan.personal]: null,
  },
  signsTokens: true,
};

export const createTalendProvider: ProviderFactory = defineProvider(talendManifest, (core: CoreServices): ProviderPlugin => {
  let service: TalendService;
  const talend = () => (service ??= new TalendService(core, plugin));
  const plugin: ProviderPlugin = {
    ...talendManifest,
    catalog: { permissions: TALEND_PERMISSIONS, kinds: [TalendKind.user, TalendKind.serviceAccount] },
    policy: talendPolicy(async (id) => (await core.principals.find(id))?.kind ?? null),

    init() {
      // The gateway accepts the tokens this plugin signs as bearer credentials; the jti row makes
      // revocation and account deletion take effect at once.
      core.declareTokenIssuer(TOKEN_ISSUER_PATHS, { type: TOKEN_TYPE });
    },

    kindOf: (input) => talend().kindOf(input),
    createServiceAccount: (ctx, input) => talend().createAccount(ctx, input),
    updateServiceAccount(ctx, account, input) {
      if (input.displayName != null || input.description != null || input.personaQualifiedNames != null)
        throw badInput('Talend accounts have a name and permissions to change.', { field: 'displayName' });
      return talend().updateAccount(ctx, account, { name: input.name, permissions: input.permissions });
    },
    createAccessToken(ctx, owner, input, refreshToken) {
      if (refreshToken || input.refreshTokenId) throw badInput('Talend has no refresh tokens: a personal access token is created for a user directly.', { field: 'refreshTokenId' });
      return talend().createPersonalToken(ctx, owner, input);
    },

    routes: (kit) => registerTalendRoutes(kit, core, talend()),
  };
  return plugin;
});
