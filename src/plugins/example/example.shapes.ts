import { z } from 'zod';

/** The vendor's bodies, as the OpenAPI document shows them. */

export const caller = z.object({ name: z.string(), provider: z.string(), role: z.string().nullable() });
export const account = z.object({ id: z.string(), name: z.string(), role: z.string().nullable() });
export const exampleError = z.object({ error: z.string() });
