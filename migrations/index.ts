import { InitialSchema1732300000000 } from './1732300000000-initial-schema';

/** Every migration, oldest first. The same list runs on PostgreSQL and embedded PGlite. */
export const migrations = [InitialSchema1732300000000];
