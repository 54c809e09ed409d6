// A merged field degrades like any other: with Cap emploi killed, a person's history (merged by
// France Travail from every partner's events, kit/hub.ts) still lists the other partners' events,
// and one error at the history's path names the partner whose events are missing — the partner,
// never a host, a port or a process. Once Cap emploi is back, its events are listed again, without
// restarting anything else. And the employer file: with FIPHFP killed, the employer keeps
// what France Travail knows (its FIPHFP connection is nullable: schema/nullability.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { post, startFaultStack, timeUntil, type FaultStack, type GraphQLAnswer } from '../support/fault-stack.ts';

const SCALE = 300;
const HISTORY = /* GraphQL */ `
  query History($id: ID!) {
    person(id: $id) { id lastName history(first: 100) { totalCount nodes { occurredOn partner kind summary reference } } }
  }`;

const partnersOf = (answer: GraphQLAnswer): Set<string> => new Set(answer.body.data?.person?.history?.nodes?.map((n: { partner: string }) => n.partner) ?? []);

describe('Person.history with Cap emploi down', () => {
  let env: FaultStack;
  let token: string;
  let id: string;
  let healthy: GraphQLAnswer;
  const ask = () => post(env.stack.gatewayUrl, token, HISTORY, { id });
  /** What the errors say besides their paths (which name fields, e.g. fiphfpDeclarations). */
  const said = (answer: GraphQLAnswer) => JSON.stringify(answer.body.errors!.map(({ path: _, ...rest }) => rest));
  const leaks = () => ['127.0.0.1', 'localhost', 'ECONN', 'fetch failed', 'socket', 'pole-emploi', 'cap-emploi', 'fiphfp', 'Events', ...[...Object.values(env.stack.subgraphs), ...Object.values(env.proxies)].map((s) => new URL(s.url).port)];

  beforeAll(async () => {
    env = await startFaultStack({ name: 'faults-history', seedScale: SCALE, gatewayEnv: { SUBGRAPH_TIMEOUT_MS: '3000', CIRCUIT_BREAKER_HALF_OPEN_MS: '1000' } });
    token = await env.token('france-travail', 'case-manager', ['*']);
    // A person whose history has Cap emploi's events and at least one other partner's.
    for (let index = 0; index < SCALE && !id; index++) {
      const candidate = personAt({ seed: 'passerelle', scale: SCALE }, index).id;
      const answer = await post(env.stack.gatewayUrl, token, HISTORY, { id: candidate });
      const partners = partnersOf(answer);
      if (!answer.body.errors && partners.has('CAP_EMPLOI') && partners.size >= 2) {
        id = candidate;
        healthy = answer;
      }
    }
    expect(id, 'the synthetic world has a person followed by Cap emploi and another partner').toBeDefined();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('lists the other partners\' events, names Cap emploi at the history\'s path, and lists its events again once it is back', async () => {
    const capEmploi = env.stack.subgraphs['cap-emploi'];
    const exited = new Promise((resolve) => capEmploi.child.once('exit', resolve));
    capEmploi.child.kill('SIGKILL');
    await exited;

    const answer = await ask();
    expect(answer.status).toBe(200);
    const person = answer.body.data?.person;
    expect(person, 'the person is still there').toMatchObject({ id, lastName: healthy.body.data.person.lastName });
    const others = healthy.body.data.person.history.nodes.filter((n: { partner: string }) => n.partner !== 'CAP_EMPLOI');
    expect(person.history.nodes).toEqual(others);
    expect(person.history.totalCount).toBe(others.length);

    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors!;
    expect(error.path).toEqual(['person', 'history']);
    expect(error.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', partner: 'CAP_EMPLOI' });
    expect(error.message).toContain('Cap emploi');
    for (const leak of leaks()) expect(said(answer)).not.toContain(leak);

    // The DPO's trail is whole or absent (schema/non-null-across-subgraphs.json): absent, with Cap emploi
    // named, and the person kept.
    const dpo = await env.token('france-travail', 'dpo');
    const trail = await post(env.stack.gatewayUrl, dpo, 'query($id: ID!) { person(id: $id) { id auditTrail(first: 5) { totalCount nodes { id partner } } } }', { id });
    expect(trail.body.data).toEqual({ person: { id, auditTrail: null } });
    expect(trail.body.errors).toEqual([{ message: expect.stringContaining('Cap emploi'), path: ['person', 'auditTrail', 'nodes'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', partner: 'CAP_EMPLOI' } }]);
    for (const leak of leaks()) expect(said(trail)).not.toContain(leak);

    const restarting = performance.now();
    await env.stack.restartSubgraph('cap-emploi');
    const restartMs = Math.round(performance.now() - restarting);
    const recoveredMs = await timeUntil('Cap emploi\'s events to be listed again', async () => {
      const again = await ask();
      return !again.body.errors && JSON.stringify(again.body.data) === JSON.stringify(healthy.body.data);
    });
    console.log(`history with Cap emploi killed: its events back ${recoveredMs} ms after its restart (which took ${restartMs} ms)`);
  });

  it('with FIPHFP killed, an employer\'s file keeps its name and job offers; only its FIPHFP declarations are missing', async () => {
    const EMPLOYER = 'query Employer($siret: String!) { employer(siret: $siret) { siret name jobOffers { totalCount } fiphfpDeclarations { totalCount } } }';
    const siret = (await post(env.stack.gatewayUrl, token, '{ employers(first: 1) { nodes { siret } } }')).body.data.employers.nodes[0].siret;
    const before = await post(env.stack.gatewayUrl, token, EMPLOYER, { siret });
    expect(before.body.errors).toBeUndefined();

    const fiphfp = env.stack.subgraphs.fiphfp;
    const exited = new Promise((resolve) => fiphfp.child.once('exit', resolve));
    fiphfp.child.kill('SIGKILL');
    await exited;
    const answer = await post(env.stack.gatewayUrl, token, EMPLOYER, { siret });
    expect(answer.body.data).toEqual({ employer: { ...before.body.data.employer, fiphfpDeclarations: null } });
    expect(answer.body.errors).toEqual([{ message: expect.stringContaining('FIPHFP'), path: ['employer', 'fiphfpDeclarations'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', partner: 'FIPHFP' } }]);
    for (const leak of leaks()) expect(said(answer)).not.toContain(leak);
    await env.stack.restartSubgraph('fiphfp');
  });
});
