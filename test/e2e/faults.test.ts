// A partner that fails costs only its own fields: with one subgraph killed, stalled past the
// gateway's timeout or answering garbage, the answer keeps the other partners' data and reports the
// missing fields at their paths with a public code and the partner's name (never a host or a
// process); the gateway stops calling a dead subgraph (circuit breaker) and serves it again, without
// restart, once it is back. Each fault is injected on a stack of the test's own, through a proxy of
// the test's own between the gateway and each subgraph. The time each fault takes to be noticed and
// to recover is printed at the end.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { post, startFaultStack, timeUntil, type FaultStack, type GraphQLAnswer } from '../support/fault-stack.ts';

const SCALE = 300;
// Long enough for a busy CI machine's ordinary answers; the stalled call waits exactly this long.
const TIMEOUT_MS = 3000;
const FAILURES_TO_OPEN = 5;
const HALF_OPEN_MS = 2000;

const PARTNERS = /* GraphQL */ `
  query Partners($siret: String!, $convention: ID!, $fiphfpRequest: ID!) {
    employer(siret: $siret) { siret name }
    convention(id: $convention) { id title }
    agefiphAid(code: "CREATION_ENTREPRISE") { code label }
    fiphfpAidRequest(id: $fiphfpRequest) { id status }
  }`;

/** Root field of PARTNERS each partner answers. */
const FIELD_OF = { 'pole-emploi': 'employer', 'cap-emploi': 'convention', agefiph: 'agefiphAid', fiphfp: 'fiphfpAidRequest' } as const;

/** Noticed: from the fault to the first answer reporting it; recovered: from the subgraph serving again to the first whole answer. */
const timings: { fault: string; noticedMs: number; recoveredMs: number }[] = [];

describe('a failing partner costs only its own fields', () => {
  let env: FaultStack;
  let token: string;
  let variables: Record<string, string>;
  let healthy: any;
  const ask = () => post(env.stack.gatewayUrl, token, PARTNERS, variables);
  const whole = (answer: GraphQLAnswer) => answer.status === 200 && !answer.body.errors && JSON.stringify(answer.body.data) === JSON.stringify(healthy);
  const failing = (code: string) => async () => (await ask()).body.errors?.some((e) => e.extensions?.code === code) ?? false;

  /** The answer with `subgraph` failing: everyone else's data as when healthy, its field null with one error. */
  function expectOnlyLost(answer: GraphQLAnswer, subgraph: keyof typeof FIELD_OF, code: string, partner: string) {
    const field = FIELD_OF[subgraph];
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ ...healthy, [field]: null });
    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors!;
    expect(error).toMatchObject({ path: [field], extensions: { code, partner } });
    expect(Object.keys(error.extensions!).sort()).toEqual(['code', 'partner']);
    const ports = [...Object.values(env.stack.subgraphs).map((s) => new URL(s.url).port), ...Object.values(env.proxies).map((p) => new URL(p.url).port)];
    for (const leak of ['127.0.0.1', 'localhost', 'ECONN', 'fetch failed', 'socket', ...Object.keys(FIELD_OF), ...ports]) expect(error.message).not.toContain(leak);
  }

  beforeAll(async () => {
    env = await startFaultStack({
      name: 'faults',
      seedScale: SCALE,
      gatewayEnv: { SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS), CIRCUIT_BREAKER_FAILURES: String(FAILURES_TO_OPEN), CIRCUIT_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS) },
    });
    token = await env.token('france-travail', 'case-manager', ['*']);
    const ids = await post(env.stack.gatewayUrl, token, '{ employers(first: 1) { nodes { siret } } conventions(first: 1) { nodes { id } } fiphfpAidRequests(first: 1) { nodes { id } } }');
    expect(ids.body.errors, 'a healthy stack answers').toBeUndefined();
    variables = { siret: ids.body.data.employers.nodes[0].siret, convention: ids.body.data.conventions.nodes[0].id, fiphfpRequest: ids.body.data.fiphfpAidRequests.nodes[0].id };
    const first = await ask();
    expect(first.body.errors).toBeUndefined();
    expect(Object.values(first.body.data).every((value) => value !== null), 'every partner answers its field').toBe(true);
    healthy = first.body.data;
  });

  afterEach(() => {
    for (const proxy of Object.values(env.proxies)) proxy.setMode('pass');
  });

  afterAll(async () => {
    await env?.stop();
    if (timings.length) console.log(`fault timings (timeout ${TIMEOUT_MS} ms, circuit probes every ${HALF_OPEN_MS} ms):\n${timings.map((t) => `  ${t.fault.padEnd(42)} noticed in ${String(t.noticedMs).padStart(5)} ms, recovered in ${String(t.recoveredMs).padStart(5)} ms`).join('\n')}`);
  });

  it('with Cap emploi killed, the others answer and the convention is reported SUBGRAPH_UNAVAILABLE; it serves again once restarted', async () => {
    const capEmploi = env.stack.subgraphs['cap-emploi'];
    const exited = new Promise((resolve) => capEmploi.child.once('exit', resolve));
    capEmploi.child.kill('SIGKILL');
    await exited;
    const noticedMs = await timeUntil('the fault to be reported', failing('SUBGRAPH_UNAVAILABLE'));
    expectOnlyLost(await ask(), 'cap-emploi', 'SUBGRAPH_UNAVAILABLE', 'CAP_EMPLOI');

    const restarting = performance.now();
    await env.stack.restartSubgraph('cap-emploi');
    const restartMs = Math.round(performance.now() - restarting);
    const recoveredMs = await timeUntil('the whole answer', async () => whole(await ask()));
    timings.push({ fault: `subgraph killed (restart took ${restartMs} ms)`, noticedMs, recoveredMs });
  });

  it('with FIPHFP stalled past the timeout, the others answer and its field is reported SUBGRAPH_TIMEOUT; it serves again once it answers', async () => {
    env.proxies.fiphfp.setMode('stall');
    const started = performance.now();
    const answer = await ask();
    const noticedMs = Math.round(performance.now() - started);
    expectOnlyLost(answer, 'fiphfp', 'SUBGRAPH_TIMEOUT', 'FIPHFP');
    expect(noticedMs).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);

    env.proxies.fiphfp.setMode('pass');
    const recoveredMs = await timeUntil('the whole answer', async () => whole(await ask()));
    timings.push({ fault: `subgraph stalled (> ${TIMEOUT_MS} ms)`, noticedMs, recoveredMs });
  });

  it('with Agefiph answering invalid JSON, the others answer and its field is reported SUBGRAPH_BAD_RESPONSE', async () => {
    env.proxies.agefiph.setMode('garble');
    const started = performance.now();
    const answer = await ask();
    const noticedMs = Math.round(performance.now() - started);
    expectOnlyLost(answer, 'agefiph', 'SUBGRAPH_BAD_RESPONSE', 'AGEFIPH');

    env.proxies.agefiph.setMode('pass');
    const recoveredMs = await timeUntil('the whole answer', async () => whole(await ask()));
    timings.push({ fault: 'subgraph answering invalid JSON', noticedMs, recoveredMs });
  });

  it('a partner leaving null a non-null field costs only that object, and no valueCompletion, subgraph name, host or internal message reaches the client', async () => {
    // Before, ApolloGateway's `extensions.valueCompletion` ("Cannot return null for non-nullable field
    // Person.lastName", INVALID_GRAPHQL) went to the client as it was, and the null had no error.
    const caseManager = await env.token('agefiph', 'case-manager');
    const QUERY = 'query($id: ID!) { agefiphAidRequest(id: $id) { id status person { id lastName } } }';
    const listed = await post(env.stack.gatewayUrl, caseManager, '{ agefiphAidRequests(first: 50) { nodes { id person { id } } } }');
    const request = listed.body.data.agefiphAidRequests.nodes.find((n: any) => n.person !== null);
    const healthyAnswer = await post(env.stack.gatewayUrl, caseManager, QUERY, { id: request.id });
    expect(healthyAnswer.body.errors).toBeUndefined();
    expect(healthyAnswer.body.data.agefiphAidRequest.person.lastName).toEqual(expect.any(String));

    // France Travail answers the person Agefiph references as it answers one it does not know: null.
    env.proxies['pole-emploi'].answerWith({ data: { _entities: [null] } });
    const answer = await post(env.stack.gatewayUrl, caseManager, QUERY, { id: request.id });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ agefiphAidRequest: { ...healthyAnswer.body.data.agefiphAidRequest, person: null } });
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors![0]).toEqual({ message: 'internal error', path: expect.arrayContaining(['agefiphAidRequest', 'person']), extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(answer.body).not.toHaveProperty('extensions');
    const ports = [...Object.values(env.stack.subgraphs).map((s) => new URL(s.url).port), ...Object.values(env.proxies).map((p) => new URL(p.url).port)];
    for (const leak of ['valueCompletion', 'Cannot return null', 'non-nullable', 'INVALID_GRAPHQL', 'Person.lastName', '127.0.0.1', 'localhost', ...ports]) {
      expect(JSON.stringify(answer.body)).not.toContain(leak);
    }
    // Paths name fields (agefiphAidRequest); messages and extensions name no subgraph.
    for (const name of Object.keys(FIELD_OF)) expect(JSON.stringify(answer.body.errors!.map(({ path: _, ...rest }) => rest))).not.toContain(name);
  });

  it('stops calling a dead subgraph after consecutive failures, probes it, and closes the circuit when it is back', async () => {
    const proxy = env.proxies['cap-emploi'];
    proxy.setMode('cut');
    const before = proxy.connections;
    const started = performance.now();
    for (let i = 0; i < FAILURES_TO_OPEN * 4; i++) expectOnlyLost(await ask(), 'cap-emploi', 'SUBGRAPH_UNAVAILABLE', 'CAP_EMPLOI');
    const elapsed = performance.now() - started;
    // Each failure before the circuit opens is one connection; afterwards at most one probe per period.
    expect(proxy.connections - before).toBeLessThanOrEqual(FAILURES_TO_OPEN + 1 + Math.floor(elapsed / HALF_OPEN_MS));

    proxy.setMode('pass');
    const recoveredMs = await timeUntil('the circuit to close', async () => whole(await ask()));
    // One probe period, with room for a busy machine.
    expect(recoveredMs).toBeLessThanOrEqual(HALF_OPEN_MS * 2 + 5000);
    timings.push({ fault: 'circuit open, subgraph back', noticedMs: 0, recoveredMs });
  });

  it('a mutation whose subgraph dies between its write and its answer is written once when the client retries with its idempotency key', async () => {
    const someone = personAt({ seed: 'passerelle', scale: SCALE }, 7);
    const counsellor = await env.token('cap-emploi', 'counsellor', [someone.departement]);
    const caseManager = await env.token('agefiph', 'case-manager');
    const count = async () => (await post(env.stack.gatewayUrl, caseManager, 'query($id: ID!) { person(id: $id) { agefiphAidRequests { totalCount } } }', { id: someone.id })).body.data.person.agefiphAidRequests.totalCount as number;
    const before = await count();
    const input = { idempotencyKey: `faults-${process.pid}-${Date.now()}`, aidCode: 'CREATION_ENTREPRISE', personId: someone.id, amountRequested: '6000.00', departement: someone.departement };
    const request = () => post(env.stack.gatewayUrl, counsellor, 'mutation($input: RequestAgefiphAidInput!) { requestAgefiphAid(input: $input) { id status } }', { input });

    // The proxy lets the request through and keeps the answer: once the answer exists, the write is
    // committed; then the subgraph dies before anything reaches the gateway.
    const proxy = env.proxies.agefiph;
    proxy.setMode('swallow');
    const answered = once(proxy, 'swallowed');
    const lost = request();
    await answered;
    const agefiph = env.stack.subgraphs.agefiph;
    const exited = once(agefiph.child, 'exit');
    agefiph.child.kill('SIGKILL');
    await exited;
    const first = await lost;
    expect(first.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['requestAgefiphAid'], 'SUBGRAPH_UNAVAILABLE']]);

    proxy.setMode('pass');
    await env.stack.restartSubgraph('agefiph');
    const retried = await request();
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data.requestAgefiphAid.status).toBe('REQUESTED');
    expect((await request()).body.data.requestAgefiphAid.id).toBe(retried.body.data.requestAgefiphAid.id);
    expect(await count()).toBe(before + 1);
  });
});
