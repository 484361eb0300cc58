import { badInput, notFound, type CoreServices } from '../../core';
import { defineProvider, type ProviderFactory, type ProviderManifest, type ProviderPlugin } from '../provider';
import {
  SERVICE_ACCOUNT_TOKEN_SECONDS,
  TALEND_PERMISSIONS,
  TalendLifespan,
  talendPolicy,
  TOKEN_ISSUER,
  TOKEN_TYPE,
  type TalendKindValue,
} from './talend.policy';
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
    catalog: { permissions: TALEND_PERMISSIONS },
    policy: talendPolicy((id) => talend().kindOf(id)),

    init() {
      // The gateway accepts the tokens this plugin signs as bearer credentials; the jti row makes
      // revocation and account deletion take effect at once.
      core.credentials.acceptSignedTokens({ issuer: TOKEN_ISSUER, type: TOKEN_TYPE });
    },

    createServiceAccount: (ctx, input) => talend().createAccount(ctx, input),
    deleteServiceAccount: (ctx, id) => talend().deleteAccount(ctx, id),
    async updateServiceAccount(ctx, id, input) {
      if (input.displayName != null || input.description != null || input.personaQualifiedNames != null)
        throw badInput('Talend accounts have a name and permissions to change.', { field: 'displayName' });
      const kind = await talend().kindOf(id);
      if (!kind) throw notFound('Service account');
      const { account } = await talend().updateAccount(ctx, id, kind as TalendKindValue, { name: input.name ?? undefined, permissions: input.permissions ?? undefined });
      return account;
    },
    createAccessToken: (ctx, input) => talend().createPersonalToken(ctx, input),

    routes(router, kit) {
      registerTalendRoutes(router, kit, talend());
    },
  };
  return plugin;
});
