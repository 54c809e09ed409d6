// Calls the gateway as a partner app would: a bearer token from the (development) issuer and a
// GraphQL POST. Tokens come from the same issuer keys the gateway trusts.
import { inject } from 'vitest';
import type { Organisation, Role } from '../../subgraphs/kit/caller.ts';
import { mintDevToken } from '../../gateway/dev-token.ts';

export interface GraphQLResponse {
  status: number;
  body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[] };
}

export async function tokenFor(organisation: Organisation, role: Role, options: { territory?: string[]; scopes?: string[]; subject?: string } = {}): Promise<string> {
  return mintDevToken(inject('dataDir'), { organisation, role, ...options });
}

export async function gql(token: string | null, query: string, variables: Record<string, unknown> = {}, init: { headers?: Record<string, string>; operationName?: string } = {}): Promise<GraphQLResponse> {
  const res = await fetch(inject('gatewayUrl'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    body: JSON.stringify({ query, variables, ...(init.operationName ? { operationName: init.operationName } : {}) }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse["body"] };
}

export function codes(response: GraphQLResponse): string[] {
  return (response.body.errors ?? []).map((e) => String(e.extensions?.code));
}
