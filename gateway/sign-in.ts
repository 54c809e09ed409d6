// Signing an analyst in on the gateway's own pages (/indicators): OpenID Connect, authorization code
// flow with PKCE (S256), state and nonce, run by the page itself with oauth4webapi (bundled by
// gateway/pages/build.ts). The gateway takes no part in the exchange and sets no cookie: it only tells
// the page where to sign in, at GET /sign-in.json, and then checks the access token the page sends like
// any other (authentication.ts). So the issuer the page signs in at is the gateway's trusted issuer,
// ISSUER (with ISSUER_JWKS_URL): ProConnect through the authorization server that puts the claims the
// gateway requires (org, role, territory, scopes) into a JWT access token for AUDIENCE.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../subgraphs/kit/config.ts';

/** What the page needs to sign in; served as it is (nothing here is secret: a public client). */
export interface SignInConfig {
  readonly issuer: string;
  readonly clientId: string;
  /** Scopes asked for, `openid` first (the ID token carries the nonce and serves the logout). */
  readonly scopes: string;
  /** RFC 8707 resource indicator, for issuers that mint an access token per resource. */
  readonly resource: string | null;
  /** The provider's name on the button ("Se connecter avec ProConnect"). */
  readonly providerName: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * OIDC_CLIENT_ID turns the sign-in on; ISSUER must then be the issuer's URL (https, plain http on the
 * loopback only). OIDC_SCOPES defaults to what an analyst's page needs; OIDC_RESOURCE is optional.
 */
export function signInConfigFrom(env: Env, issuer: string): SignInConfig | null {
  const clientId = env.OIDC_CLIENT_ID?.trim();
  if (!clientId) return null;
  let parsed: URL;
  try {
    parsed = new URL(issuer);
  } catch {
    throw new ConfigError('OIDC_CLIENT_ID is set: ISSUER must be the URL of the identity provider the pages sign in at');
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) {
    throw new ConfigError('OIDC_CLIENT_ID is set: ISSUER must use https (plain http only on the loopback)');
  }
  const scopes = (env.OIDC_SCOPES ?? 'openid statistics:read sandbox').split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) throw new ConfigError('OIDC_SCOPES must include openid');
  const resource = env.OIDC_RESOURCE?.trim() || null;
  if (resource !== null && !URL.canParse(resource)) throw new ConfigError('OIDC_RESOURCE must be an absolute URI');
  return Object.freeze({ issuer, clientId, scopes: scopes.join(' '), resource, providerName: env.OIDC_PROVIDER_NAME?.trim() || 'ProConnect' });
}

/** Origins the pages may fetch besides their own (Content-Security-Policy connect-src): the issuer's. */
export function signInOrigins(config: SignInConfig | null): string[] {
  return config ? [new URL(config.issuer).origin] : [];
}

export const SIGN_IN_PATH = '/sign-in.json';

/** GET /sign-in.json: the configuration, or `{"enabled": false}` (the page then offers the pasted token only). */
export function signInRoute(config: SignInConfig | null) {
  const body = JSON.stringify(config ? { enabled: true, ...config } : { enabled: false });
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (url.pathname !== SIGN_IN_PATH) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return true;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
