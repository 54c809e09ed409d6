// A local OpenID provider for the tests of the pages' sign-in: panva's oidc-provider on 127.0.0.1,
// standing in for ProConnect behind the authorization server that adds the analysts' claims. One
// public client (the page), PKCE required (S256), the development login and consent pages that
// oidc-provider ships (any login, any password), and JWT access tokens for one resource (RFC 8707)
// carrying the claims the gateway requires — org, role, territory and scopes — for the accounts the
// test declares. Listening starts first, so that the gateway can be told the issuer before the
// provider is told the gateway's redirect URI.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';

/** An analyst's claims, as the authorization server in front of ProConnect would add them. */
export interface AccountClaims {
  readonly org: string;
  readonly role: string;
  readonly territory: string | readonly string[];
}

export interface ProviderSetup {
  readonly clientId: string;
  /** The page, which is its own redirect URI and post-logout redirect URI. */
  readonly redirectUri: string;
  /** The resource indicator the page asks for, and the access token's audience. */
  readonly resource: string;
  readonly audience: string;
  /** Space-separated scopes the resource grants (into the access token's `scope`). */
  readonly scopes: string;
  /** Claims by login name; another login signs in but gets a token without them. */
  readonly accounts: Readonly<Record<string, AccountClaims>>;
}

export interface LocalProvider {
  readonly issuer: string;
  readonly jwksUrl: string;
  configure(setup: ProviderSetup): Promise<void>;
  stop(): Promise<void>;
}

/** A plain logout confirmation (the shipped one loads Google's fonts). */
async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head><body><main>
<h1>Sign out of the test provider?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></main></body></html>`;
}

export async function startLocalProvider(): Promise<LocalProvider> {
  let app: http.RequestListener | null = null;
  const server = http.createServer((req, res) => {
    if (app) return app(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    async configure(setup) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const signing = { ...(await exportJWK(privateKey)), kid: 'local-provider', alg: 'ES256', use: 'sig' };
      const provider = new Provider(issuer, {
        clients: [{
          client_id: setup.clientId,
          token_endpoint_auth_method: 'none',
          application_type: 'web',
          redirect_uris: [setup.redirectUri],
          post_logout_redirect_uris: [setup.redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code'],
          id_token_signed_response_alg: 'ES256',
        }],
        jwks: { keys: [signing] },
        cookies: { keys: ['a cookie key for this test only'] },
        routes: { jwks: '/jwks' },
        ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
        pkce: { required: () => true },
        // The page's origin may call the discovery, token and JWKS endpoints (it is the client's).
        clientBasedCORS: (_ctx, origin) => origin === new URL(setup.redirectUri).origin,
        findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
        extraTokenClaims: async (_ctx, token) => {
          const account = 'accountId' in token && typeof token.accountId === 'string' ? setup.accounts[token.accountId] : undefined;
          return account ? { org: account.org, role: account.role, territory: account.territory } : undefined;
        },
        features: {
          devInteractions: { enabled: true },
          rpInitiatedLogout: { enabled: true, logoutSource },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => setup.resource,
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx, indicator) => {
              if (indicator !== setup.resource) throw new errors.InvalidTarget();
              return { audience: setup.audience, scope: setup.scopes, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
            },
          },
        },
      });
      app = provider.callback();
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
