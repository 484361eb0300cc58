import type { RouteKit } from '../route-kit';
import { accountBody, exampleErrors } from './example.mapper';

/** The vendor's REST face: each route calls an act, exactly as the GraphQL face does. */
export function exampleRoutes(kit: RouteKit): void {
  kit.route(
    'GET',
    '/example/whoami',
    async ({ ctx }) => ({ body: { name: ctx.actor!.name, provider: ctx.actor!.provider, role: ctx.actor!.role } }),
    { errors: exampleErrors, summary: 'Who the caller is' },
  );
  kit.route('GET', '/example/accounts/:id', async (req) => ({ body: accountBody(await kit.acts.getServiceAccount(req.ctx, String(req.params.id))) }), { errors: exampleErrors, summary: 'Read an account' });
}
