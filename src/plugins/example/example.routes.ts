import type { RouteKit } from '../route-kit';
import { accountBody, exampleErrors } from './example.mapper';
import * as shapes from './example.shapes';

/** The vendor's REST face: each route calls an act, exactly as the GraphQL face does. */
export function exampleRoutes(kit: RouteKit): void {
  kit.route(
    'GET',
    '/example/whoami',
    async ({ ctx }) => ({ body: { name: ctx.actor!.name, provider: ctx.actor!.provider, role: ctx.actor!.role } }),
    { errors: exampleErrors, summary: 'Who the caller is', responses: { 200: shapes.caller } },
  );
  kit.route('GET', '/example/accounts/:id', async (req) => ({ body: accountBody(await kit.acts.getServiceAccount(req.ctx, String(req.params.id))) }), { errors: exampleErrors, summary: 'Read an account', responses: { 200: shapes.account } });
}
