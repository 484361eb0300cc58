import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { defaultProviders } from '../src/plugins/registry';
import { buildGatewaySchema } from '../src/schema/build-schema';

/** Ids of the production providers, from their manifests (the schema only needs their ids). */
export function productionProviderIds(): string[] {
  return defaultProviders.map((factory) => factory.manifest.id);
}

export async function printGatewaySchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildGatewaySchema(productionProviderIds()))) + '\n';
}

if (require.main === module) {
  printGatewaySchema().then((sdl) => {
    writeFileSync(join(__dirname, '..', '..', 'schema.graphql'), sdl);
    process.stdout.write('schema.graphql written\n');
  });
}
