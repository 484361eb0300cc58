import { In } from 'typeorm';
import { PermissionEntity, PersonaEntity, PrincipalPersonaEntity, type PersonaPolicy } from '../../entities';
import type { ChangeScope } from '../change';
import type { Clock } from '../clock';
import type { ProviderDescriptor } from '../context';
import type { Database } from '../database';
import { badInput, conflict } from '../errors';
import { emptyPage, isUuid, keysetPage, type Page } from './pagination';

/** Permissions (seeded from each provider's catalog) and personas. */
export class CatalogService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Makes the stored catalog match the providers' declared ones; idempotent, run at start. */
  async syncPermissions(providers: readonly ProviderDescriptor[]): Promise<void> {
    const rows = providers.flatMap((p) => (p.catalog?.permissions ?? []).map((perm) => ({ provider: p.id, code: perm.id, name: perm.name })));
    if (rows.length === 0) return;
    await this.db.transaction(async ({ manager }) => {
      await manager.upsert(PermissionEntity, rows, ['provider', 'code']);
    });
  }

  async permissions(provider: ProviderDescriptor): Promise<PermissionEntity[]> {
    return this.db.manager.find(PermissionEntity, { where: { provider: provider.id }, order: { code: 'ASC' } });
  }

  async createPersona(scope: ChangeScope, provider: ProviderDescriptor, input: { name: string; qualifiedName?: string | null; policies?: PersonaPolicy[] | null }): Promise<PersonaEntity> {
    const name = input.name?.trim();
    if (!name) throw badInput('A persona name is required.', { field: 'name' });
    const qualifiedName = input.qualifiedName?.trim() || `default/${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    for (const policy of input.policies ?? []) {
      if (!policy.action || !policy.resource) throw badInput('Every policy needs an action and a resource.', { field: 'policies' });
    }
    const { manager } = scope.tx;
    const existing = await manager.findOne(PersonaEntity, { where: { provider: provider.id, qualifiedName } });
    if (existing) throw conflict(`A persona "${qualifiedName}" already exists.`);
    const persona = await manager.save(manager.create(PersonaEntity, { provider: provider.id, name, qualifiedName, policies: input.policies ?? [], createdAt: this.clock.now() }));
    scope.setTarget(persona.id);
    scope.addDetail({ qualifiedName });
    return persona;
  }

  async persona(id: string): Promise<PersonaEntity | null> {
    return isUuid(id) ? this.db.manager.findOne(PersonaEntity, { where: { id } }) : null;
  }

  /** The policies of the given personas, for providers whose policy reads them. */
  async personaPolicies(personaIds: readonly string[]): Promise<PersonaPolicy[]> {
    return (await this.personasByIds(personaIds)).flatMap((p) => p.policies ?? []);
  }

  async personas(visible: readonly string[], args: { first?: number | null; after?: string | null }): Promise<Page<PersonaEntity>> {
    if (!visible.length) return emptyPage();
    return keysetPage(this.db.manager.createQueryBuilder(PersonaEntity, 'p').where('p.provider IN (:...visible)', { visible }), 'p', args);
  }

  async personasOf(serviceAccountIds: readonly string[]): Promise<Map<string, PersonaEntity[]>> {
    const result = new Map<string, PersonaEntity[]>(serviceAccountIds.map((id) => [id, []]));
    if (!serviceAccountIds.length) return result;
    const links = await this.db.manager
      .createQueryBuilder(PrincipalPersonaEntity, 'l')
      .innerJoinAndMapOne('l.persona', PersonaEntity, 'p', 'p.id = l.persona_id')
      .where('l.service_account_id IN (:...ids)', { ids: serviceAccountIds })
      .orderBy('p.qualified_name', 'ASC')
      .getMany();
    for (const link of links as (PrincipalPersonaEntity & { persona: PersonaEntity })[]) result.get(link.serviceAccountId)?.push(link.persona);
    return result;
  }

  async permissionsOf(serviceAccountIds: readonly string[]): Promise<Map<string, PermissionEntity[]>> {
    const result = new Map<string, PermissionEntity[]>(serviceAccountIds.map((id) => [id, []]));
    if (!serviceAccountIds.length) return result;
    const rows: { service_account_id: string; provider: string; code: string; name: string }[] = await this.db.manager.query(
      `SELECT g.service_account_id, p.provider, p.code, p.name
         FROM service_account_permission g
         JOIN service_account a ON a.id = g.service_account_id
         JOIN permission p ON p.provider = a.provider AND p.code = g.code
        WHERE g.service_account_id = ANY($1::uuid[])
        ORDER BY p.code`,
      [serviceAccountIds],
    );
    for (const row of rows) result.get(row.service_account_id)?.push(Object.assign(new PermissionEntity(), { provider: row.provider, code: row.code, name: row.name }));
    return result;
  }

  async personasByIds(ids: readonly string[]): Promise<PersonaEntity[]> {
    return ids.length ? this.db.manager.find(PersonaEntity, { where: { id: In([...ids]) } }) : [];
  }
}
