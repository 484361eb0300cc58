import { useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { errorMessage } from '../client';
import { CreateAccessTokenDocument, CreateRefreshTokenDocument } from '../generated/graphql';
import { Dialog } from './Dialog';
import { SecretReveal, type Revealed } from './SecretReveal';

type Step = { at: 'name' } | { at: 'refresh-secret'; refreshTokenId: string; name: string; secret: Revealed } | { at: 'offer'; refreshTokenId: string; name: string } | { at: 'access-secret'; secret: Revealed } | { at: 'done' };

/**
 * Alation's Create Refresh Token dialog: a name, then the Token Secret Key once; then, without
 * leaving the dialog, the API access token for it (named after the refresh token), shown once too.
 */
export function RefreshTokenDialog({ open, serviceAccountId, onClose }: { open: boolean; serviceAccountId?: string; onClose: () => void }) {
  const client = useClient();
  const [step, setStep] = useState<Step>({ at: 'name' });
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setStep({ at: 'name' });
    setName('');
    setError(null);
    onClose();
  };
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const result = await client.mutation(CreateRefreshTokenDocument, { input: { name, serviceAccountId } }).toPromise();
    const created = result.data?.createRefreshToken;
    if (!created) return setError(errorMessage(result.error));
    setStep({ at: 'refresh-secret', refreshTokenId: created.refreshToken.id, name: created.refreshToken.name, secret: { value: created.secret, title: 'Token Secret Key' } });
  };
  const createAccess = async (refreshTokenId: string) => {
    setError(null);
    const result = await client.mutation(CreateAccessTokenDocument, { input: { refreshTokenId } }).toPromise();
    const created = result.data?.createAccessToken;
    if (!created) return setError(errorMessage(result.error));
    setStep({ at: 'access-secret', secret: { value: created.secret, title: 'API access token: Token Secret Key' } });
  };
  const locked = step.at === 'refresh-secret' || step.at === 'access-secret';
  return (
    <Dialog title={step.at === 'access-secret' || step.at === 'offer' ? 'Create API Access Token' : 'Create Refresh Token'} open={open} onClose={close} locked={locked}>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {step.at === 'name' ? (
        <form onSubmit={create} className="stack">
          <label>
            Refresh token name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} placeholder="e.g. TableauRefreshToken" />
          </label>
          <p className="hint">A name that says which integration uses it. You may hold several refresh tokens, one per integration.</p>
          <button type="submit" className="primary">
            Create Refresh Token
          </button>
        </form>
      ) : null}
      {step.at === 'refresh-secret' ? (
        <SecretReveal secret={step.secret} onStored={() => setStep({ at: 'offer', refreshTokenId: step.refreshTokenId, name: step.name })} />
      ) : null}
      {step.at === 'offer' ? (
        <div className="stack">
          <p>
            Create the API access token for <strong>{step.name}</strong> now? Its name is the refresh token's and cannot be edited. It goes in the <code>TOKEN</code> header of your API calls.
          </p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => createAccess(step.refreshTokenId)}>
              Create API Access Token
            </button>
            <button type="button" onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {step.at === 'access-secret' ? <SecretReveal secret={step.secret} onStored={() => setStep({ at: 'done' })} /> : null}
      {step.at === 'done' ? (
        <div className="stack">
          <p>The API access token is active. Its key is no longer shown anywhere.</p>
          <button type="button" className="primary" onClick={close}>
            Done
          </button>
        </div>
      ) : null}
    </Dialog>
  );
}

/** Create (or regenerate) the API access token of one refresh token; its key is shown once. */
export function AccessTokenDialog({ refreshToken, regenerate, onClose }: { refreshToken: { id: string; name: string | null } | null; regenerate: boolean; onClose: () => void }) {
  const client = useClient();
  const [secret, setSecret] = useState<Revealed | null>(null);
  const [stored, setStored] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setSecret(null);
    setStored(false);
    setError(null);
    onClose();
  };
  const create = async () => {
    if (!refreshToken) return;
    setError(null);
    const result = await client.mutation(CreateAccessTokenDocument, { input: { refreshTokenId: refreshToken.id, regenerate } }).toPromise();
    const created = result.data?.createAccessToken;
    if (!created) return setError(errorMessage(result.error));
    setSecret({ value: created.secret, title: 'Token Secret Key' });
  };
  return (
    <Dialog title="Create API Access Token" open={refreshToken !== null} onClose={close} locked={secret !== null}>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {secret ? (
        <SecretReveal
          secret={secret}
          onStored={() => {
            setSecret(null);
            setStored(true);
          }}
        />
      ) : stored ? (
        <div className="stack">
          <p>The API access token is active.</p>
          <button type="button" className="primary" onClick={close}>
            Done
          </button>
        </div>
      ) : (
        <div className="stack">
          <p>
            An API access token for <strong>{refreshToken?.name}</strong>
            {regenerate ? '. The current one is revoked when the new one is made.' : '.'}
          </p>
          <button type="button" className="primary" onClick={create}>
            Create API Access Token
          </button>
        </div>
      )}
    </Dialog>
  );
}
