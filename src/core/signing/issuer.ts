/**
 * A token issuer as OAuth clients discover it: an `iss` that is a URL under the gateway's public
 * URL, and the endpoints RFC 8414 metadata (and the OpenID-style document) name. Core knows no
 * vendor: a provider declares its issuers with paths relative to the public URL.
 */
export interface TokenIssuerPaths {
  /** The issuer's path under the public URL, e.g. `/oauth/v2`: `iss` = public URL + this. */
  issuer: string;
  token: string;
  introspection: string;
  revocation: string;
  jwks: string;
}

/** The client authentication methods every keygate token endpoint accepts (RFC 6749 §2.3.1). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/**
 * The gateway's base URL as clients reach it (`KEYGATE_PUBLIC_URL`). Known once the gateway
 * listens when the configuration leaves it (or its port) to the socket, so it is read late.
 */
export class PublicUrl {
  private value?: string;

  set(url: string): void {
    this.value = url.replace(/\/+$/, '');
  }

  get(): string {
    if (!this.value) throw new Error('The public URL is not known yet: the gateway sets it when it listens.');
    return this.value;
  }

  /** An absolute URL for a path under the public URL. */
  resolve(path: string): string {
    return `${this.get()}${path.startsWith('/') ? path : `/${path}`}`;
  }
}

/** The issuers providers declare; the gateway serves their discovery documents. */
export class TokenIssuers {
  private readonly declared: TokenIssuerPaths[] = [];

  constructor(readonly publicUrl: PublicUrl) {}

  declare(paths: TokenIssuerPaths): void {
    if (this.declared.some((d) => d.issuer === paths.issuer)) throw new Error(`Token issuer ${paths.issuer} is declared twice.`);
    this.declared.push(paths);
  }

  all(): readonly TokenIssuerPaths[] {
    return this.declared;
  }

  /** The `iss` of an issuer declared with this path (read when a token is signed or checked). */
  url(issuerPath: string): string {
    return this.publicUrl.resolve(issuerPath);
  }
}

/** RFC 8414 authorization server metadata for one issuer (also served as the OpenID-style document). */
export function authorizationServerMetadata(publicUrl: PublicUrl, paths: TokenIssuerPaths) {
  return {
    issuer: publicUrl.resolve(paths.issuer),
    token_endpoint: publicUrl.resolve(paths.token),
    introspection_endpoint: publicUrl.resolve(paths.introspection),
    revocation_endpoint: publicUrl.resolve(paths.revocation),
    jwks_uri: publicUrl.resolve(paths.jwks),
    grant_types_supported: ['client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    introspection_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    scopes_supported: [],
  };
}
