// The page signs the analyst in at the gateway's trusted issuer (GET /sign-in.json says which, see
// gateway/sign-in.ts): OpenID Connect authorization code flow with PKCE (S256), a random state and
// nonce, as a public client, with oauth4webapi. What must survive the trip to the issuer and back (the
// code verifier, state and nonce) waits in sessionStorage, for this tab only, and is removed as soon as
// the page is back; the access token is kept in the page's memory only — never in localStorage, never
// in a URL. The issuer is asked to hand the code back in the URL fragment (response_mode=fragment, when
// it offers it), which no server sees or logs; code and state leave the address bar at once.
// The logout names the client, not the ID token (id_token_hint would put a token in a query string).
import * as oauth from 'oauth4webapi';

export interface SignInConfig {
  readonly enabled: boolean;
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: string;
  readonly resource: string | null;
  readonly providerName: string;
}


/** A sign-in that did not complete: the message is for the analyst (French, like the page). */
export class SignInError extends Error {}

/** What waits in sessionStorage during the trip to the issuer. */
const PENDING = 'passerelle.sign-in';

export async function signInConfig(): Promise<SignInConfig | null> {
  try {
    const response = await fetch('/sign-in.json', { headers: { accept: 'application/json' } });
    const config = response.ok ? ((await response.json()) as SignInConfig) : null;
    return config?.enabled ? config : null;
  } catch {
    return null;
  }
}

/** The page is its own redirect URI (and post-logout redirect URI): register `<gateway>/indicators` at the issuer. */
export function redirectUri(): string {
  return `${location.origin}/${location.pathname.split('/')[1]}`;
}

function options(config: SignInConfig) {
  // Plain http is tolerated for an issuer on the loopback only (the gateway refuses any other).
  return { [oauth.allowInsecureRequests]: new URL(config.issuer).protocol === 'http:' };
}

async function discover(config: SignInConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  try {
    return await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options(config)));
  } catch {
    throw new SignInError(`Le fournisseur d'identité ${config.providerName} ne répond pas : réessayez plus tard.`);
  }
}

/** Leaves for the issuer's sign-in page (the promise settles only on failure). */
export async function signIn(config: SignInConfig): Promise<void> {
  const server = await discover(config);
  if (!server.authorization_endpoint) throw new SignInError(`${config.providerName} n'annonce pas de point d'autorisation.`);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(server.authorization_endpoint);
  // Without response_modes_supported, an issuer offers query and fragment (OpenID Connect Discovery).
  const fragment = (server.response_modes_supported ?? ['query', 'fragment']).includes('fragment');
  const params: Record<string, string> = {
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: config.scopes,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(fragment ? { response_mode: 'fragment' } : {}),
    ...(config.resource ? { resource: config.resource } : {}),
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce }));
  location.assign(url.href);
}

/** The issuer's answer in the address (fragment or query: code or error, with a state), or null. */
export function callbackParams(url: URL): URLSearchParams | null {
  for (const params of [new URLSearchParams(url.hash.slice(1)), url.searchParams]) {
    if (params.has('state') && (params.has('code') || params.has('error'))) return params;
  }
  return null;
}

/**
 * Back from the issuer: checks the state, exchanges the code with the verifier of this tab, checks the
 * ID token's nonce. Whatever happens, the code leaves the address bar and the verifier the storage.
 */
export async function completeSignIn(config: SignInConfig, callback: URLSearchParams): Promise<string> {
  history.replaceState(null, '', location.pathname);
  const saved = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (!saved) throw new SignInError('Connexion refusée : cet onglet n\'a pas commencé de connexion (vérificateur PKCE absent). Reconnectez-vous.');
  const pending = JSON.parse(saved) as { verifier: string; state: string; nonce: string };
  const server = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(server, client, callback, pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) throw new SignInError(`${config.providerName} a refusé la connexion (${error.error}).`);
    throw new SignInError('Connexion refusée : la réponse du fournisseur d\'identité ne correspond pas à la demande de cet onglet (state).');
  }
  try {
    const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), params, redirectUri(), pending.verifier, {
      ...options(config),
      ...(config.resource ? { additionalParameters: { resource: config.resource } } : {}),
    });
    const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
    return tokens.access_token;
  } catch (error) {
    const reason = error instanceof oauth.ResponseBodyError ? error.error : error instanceof oauth.OperationProcessingError ? error.code : 'réseau';
    throw new SignInError(`Connexion refusée : le jeton n'a pas été délivré ou ne correspond pas à la demande (${reason}).`);
  }
}

/**
 * Logs out: the page forgets the token (the caller does), and the issuer's session ends too when it
 * offers RP-initiated logout; the issuer then sends the browser back to this page. False when the
 * issuer offers none (the page stays, signed out).
 */
export async function signOut(config: SignInConfig): Promise<boolean> {
  const server = await discover(config).catch(() => null);
  if (!server?.end_session_endpoint) return false;
  const url = new URL(server.end_session_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('post_logout_redirect_uri', redirectUri());
  location.assign(url.href);
  return true;
}
