// Calls the analysts' stack (test/analysts/global-setup.ts) as an analyst's tool would.
import { inject } from 'vitest';
import { mintDevToken } from '../../gateway/dev-token.ts';
import type { Organisation } from '../../subgraphs/kit/caller.ts';

export function analystToken(options: { organisation?: Organisation; territory?: string[] } = {}): Promise<string> {
  return mintDevToken(inject('analystsDataDir'), { organisation: options.organisation ?? 'dgefp', role: 'analyst', territory: options.territory });
}

/** Asks the analysts' gateway (or another one, given its URL) with a bearer token. */
export async function gql(token: string, query: string, variables: Record<string, unknown> = {}, gatewayUrl = inject('analystsGatewayUrl')): Promise<{ data?: any; errors?: { message: string; extensions?: { code?: string; field?: string } }[] }> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return res.json() as Promise<any>;
}

const VALUE_FIELDS = 'period count countSuppressedBecause amount amountSuppressedBecause share';
export const CELL_FIELDS = `period area areaName category value { ${VALUE_FIELDS} } yearBefore { ${VALUE_FIELDS} } countChange amountChange shareChange`;

/** The indicator fields of the graph: every root field that returns an IndicatorTable. */
export async function indicatorFields(token: string): Promise<string[]> {
  const res = await gql(token, '{ __schema { queryType { fields { name type { kind ofType { name } } } } } }');
  return res.data.__schema.queryType.fields.filter((f: any) => f.type.ofType?.name === 'IndicatorTable').map((f: any) => f.name).sort();
}
