import type { PrincipalEntity } from '../../entities';
import type { ErrorShape } from '../route-kit';
import { exampleError } from './example.shapes';

/** The vendor's account body. */
export function accountBody(account: PrincipalEntity) {
  return { id: account.id, name: account.name, role: account.role };
}

/** The vendor's error body: `{error: message}`. */
export const exampleErrors: ErrorShape = {
  schema: exampleError,
  render: ({ code, message }) => ({ body: { error: code === 'INTERNAL' ? 'Internal error' : message } }),
};
