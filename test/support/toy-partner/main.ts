// A toy fifth partner subgraph (an MDPH), run as a real process by test/e2e/fifth-subgraph.test.ts:
// one history event and one funding for every person, by the kit convention of kit/hub.ts. Its SDL
// is its schema.graphql with kit/common.graphql, whose Partner enum gains MDPH (composition merges
// the values of an output enum; the hub adopts them through kit/hub.ts). It counts its calls on
// GET /calls (test/support/toy-server.ts).
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { scalarResolvers } from '../../../subgraphs/kit/scalars.ts';
import { serveToy } from '../toy-server.ts';

export function toySdl(): string {
  const own = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');
  const common = readFileSync(new URL('../../../subgraphs/kit/common.graphql', import.meta.url), 'utf8');
  return `${own}\n${common.replace(/enum Partner \{/, 'enum Partner {\n  "A maison départementale des personnes handicapées (toy)."\n  MDPH')}`;
}

export const toyEvent = (id: string) => ({ occurredOn: '2026-11-30', partner: 'MDPH', kind: 'MDPH_DECISION', summary: 'Décision de la CDAPH', reference: `cdaph-${id}` });
export const toyFunding = (id: string) => ({
  __typename: 'MdphCompensation', id: `pch-${id}`, partner: 'MDPH', label: 'Prestation de compensation du handicap', status: 'GRANTED',
  amountRequested: 120000, amountGranted: 90000, requestedOn: '2026-11-29', decidedOn: '2026-11-30',
});

if (import.meta.url === `file://${process.argv[1]}`) {
  const resolvers = {
    Person: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      mdphEvents: (p: { id: string }) => [toyEvent(p.id)],
      mdphFundingReferences: (p: { id: string }) => [{ id: `pch-${p.id}`, typename: 'MdphCompensation', requestedOn: '2026-11-29' }],
    },
    MdphCompensation: { __resolveReference: (ref: { id: string }) => toyFunding(ref.id.replace(/^pch-/, '')) },
  };
  await serveToy('mdph', buildSubgraphSchema({ typeDefs: parse(toySdl()), resolvers: { ...scalarResolvers, ...resolvers } as never }));
}
