// Adding a partner edits nobody else's contract (docs/adr/hub-plumbing.md): a toy fifth subgraph
// (an MDPH, test/support/toy-partner) contributes one kind of history event and one type of funding
// by the kit convention, is composed into a supergraph for this test only, and its event and
// funding appear in Person.history and Person.fundings through a real gateway. France Travail's
// folder is not touched: its process learns the contributor from HUB_CONTRIBUTORS, as it learns the
// four partners from subgraphs/kit/schema-files.ts SUBGRAPHS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { composeSources, workingTreeSource } from '../../schema/composition.ts';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { SUBGRAPHS } from '../../subgraphs/kit/schema-files.ts';
import { spawnTestGateway } from '../support/test-gateway.ts';
import { toySdl } from '../support/toy-partner/main.ts';
import { tokenFor } from './client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

const PERSON = /* GraphQL */ `
  query Journey($id: ID!) {
    person(id: $id) {
      id
      history(first: 100) { totalCount nodes { occurredOn partner kind summary reference } }
      fundings(first: 100) { totalCount nodes { __typename id partner label status amountRequested amountGranted requestedOn } }
    }
  }`;

describe('a fifth partner subgraph, added with no edit to France Travail', () => {
  let dir: string;
  const started: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let supergraph: string;

  const ask = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'passerelle-fifth-'));
    const keys = path.join(inject('dataDir'), 'keys');
    const urls = inject('subgraphUrls');
    const toyFile = path.join(dir, 'mdph.graphql');
    writeFileSync(toyFile, toySdl());

    const toy = await spawnService({ name: 'mdph', entry: 'test/support/toy-partner/main.ts', env: {} });
    started.push(toy);
    // The hub, on the same seed as the shared stack, told about one more contributor.
    const hub = await spawnService({
      name: 'pole-emploi-hub',
      entry: 'subgraphs/pole-emploi/main.ts',
      env: {
        PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dir, SEED_SCALE: String(inject('seedScale')),
        GATEWAY_JWKS_FILE: path.join(keys, 'gateway.jwks.json'), HUB_CONTRIBUTORS: `mdph=${toyFile}`,
      },
    });
    started.push(hub);

    const composed = composeSources([...SUBGRAPHS.map((name) => workingTreeSource(ROOT, name)), { name: 'mdph', sdl: toySdl(), origin: 'working tree' }]);
    expect(composed.errors).toEqual([]);
    supergraph = composed.supergraphSdl!;
    const file = path.join(dir, 'supergraph.graphql');
    writeFileSync(file, supergraph);
    gateway = await spawnTestGateway('gateway-fifth', file, {
      SUBGRAPH_URL_POLE_EMPLOI: hub.url, SUBGRAPH_URL_CAP_EMPLOI: urls['cap-emploi'], SUBGRAPH_URL_AGEFIPH: urls.agefiph, SUBGRAPH_URL_FIPHFP: urls.fiphfp,
      SUBGRAPH_URL_MDPH: toy.url,
    });
    started.push(gateway);
  }, 120_000);

  afterAll(async () => {
    for (const service of started.reverse()) await service.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('composes the hub with the toy\'s plumbing generated, inaccessible to clients', () => {
    expect(supergraph).toMatch(/mdphEvents \{ occurredOn partner kind summary reference \}/);
    expect(supergraph).toMatch(/mdphFundingReferences: \[FundingReference!\] @inaccessible @join__field\(graph: MDPH\) @join__field\(graph: POLE_EMPLOI, external: true\)/);
  });

  it('shows the toy\'s event in Person.history and its funding in Person.fundings, merged with the four partners', async () => {
    const subject = personAt({ seed: 'passerelle', scale: inject('seedScale') }, 0);
    const token = await tokenFor('france-travail', 'counsellor', { territory: [subject.departement] });
    const id = subject.id;
    const res = await ask(token, PERSON, { id });
    expect(res.errors).toBeUndefined();
    const { history, fundings } = res.data.person;
    expect(history.nodes).toContainEqual({ occurredOn: '2026-11-30', partner: 'MDPH', kind: 'MDPH_DECISION', summary: 'Décision de la CDAPH', reference: `cdaph-${id}` });
    expect(history.nodes.some((e: { partner: string }) => e.partner === 'FRANCE_TRAVAIL')).toBe(true);
    expect(history.nodes.map((e: { occurredOn: string }) => e.occurredOn)).toEqual(history.nodes.map((e: { occurredOn: string }) => e.occurredOn).sort().reverse());
    expect(fundings.nodes).toContainEqual({
      __typename: 'MdphCompensation', id: `pch-${id}`, partner: 'MDPH', label: 'Prestation de compensation du handicap', status: 'GRANTED',
      amountRequested: '1200.00', amountGranted: '900.00', requestedOn: '2026-11-29',
    });
    expect(fundings.totalCount).toBe(fundings.nodes.length);
  });

  it('keeps the plumbing out of the public graph', async () => {
    const token = await tokenFor('france-travail', 'counsellor');
    const res = await ask(token, '{ person(id: "x") { mdphEvents { kind } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
