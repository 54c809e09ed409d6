// What an operator sees: Prometheus /metrics on the gateway and on a subgraph, and one trace that goes
// from the gateway through the subgraph call down to the subgraph's SQL statements (W3C trace
// context over real HTTP between real processes). Both processes export their spans over OTLP/HTTP,
// configured only by the standard OTEL_* variables, to a collector of the test's own that keeps
// them in memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { tokenFor } from './client.ts';
import { startReplica } from '../support/replicas.ts';
import { startSpanCollector, type OtlpSpan, type SpanCollector } from '../support/span-collector.ts';

const SERVER = 2;
const CLIENT = 3;

describe('observability', () => {
  let spans: OtlpSpan[] = [];
  const started: ServiceProcess[] = [];
  let collector: SpanCollector;
  let dataDir: string;
  let subgraph: ServiceProcess;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    collector = await startSpanCollector();
    spans = collector.spans;
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-observability-'));
    subgraph = await spawnService({
      name: 'pole-emploi', entry: 'subgraphs/pole-emploi/main.ts',
      env: { PORT: '0', DATA_DIR: dataDir, SEED_SCALE: '60', LOG_LEVEL: 'warn', GATEWAY_JWKS_FILE: path.join(inject('dataDir'), 'keys', 'gateway.jwks.json'), ...otel },
    });
    started.push(subgraph);
    gateway = await startReplica('gateway-traced', { SUBGRAPH_URL_POLE_EMPLOI: subgraph.url, ...otel });
    started.push(gateway);
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await collector?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('follows one operation from the gateway through the subgraph call to its SQL statements, and counts it on both sides', async () => {
    // A national case-manager: the people it reads are audited (a counsellor sees only its caseload).
    const token = await tokenFor('france-travail', 'case-manager');
    const query = 'query ObservedEmployers { employers(first: 3) { totalCount nodes { siret name } } people(first: 2) { nodes { id } } }';
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    const body = await res.json() as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.employers.nodes).toHaveLength(3);
    expect(body.data.people.nodes.length).toBeGreaterThan(0);

    // One trace: the gateway's client span for the subgraph call, the subgraph's server span under it
    // (named after the operation), and SQL spans under that.
    const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value;
    let trace: OtlpSpan[] = [];
    for (let i = 0; i < 100; i++) {
      const call = spans.find((s) => s.service === 'passerelle-gateway' && s.kind === CLIENT && attribute(s, 'graphql.operation.name')?.stringValue?.startsWith('ObservedEmployers'));
      trace = call ? spans.filter((s) => s.traceId === call.traceId) : [];
      if (trace.some((s) => s.service === 'passerelle-pole-emploi' && s.name.startsWith('SQL'))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const call = trace.find((s) => s.service === 'passerelle-gateway' && s.kind === CLIENT && s.name.startsWith('subgraph'))!;
    expect(call).toMatchObject({ name: 'subgraph pole-emploi' });
    const served = trace.find((s) => s.service === 'passerelle-pole-emploi' && s.kind === SERVER)!;
    expect(served).toMatchObject({ name: 'pole-emploi ObservedEmployers', parentSpanId: call.spanId });
    const statements = trace.filter((s) => s.service === 'passerelle-pole-emploi' && s.name.startsWith('SQL'));
    expect(statements.length).toBeGreaterThan(0);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const statement of statements) {
      expect(statement.kind).toBe(CLIENT);
      let ancestor = statement.parentSpanId ? byId.get(statement.parentSpanId) : undefined;
      while (ancestor && ancestor !== served) ancestor = ancestor.parentSpanId ? byId.get(ancestor.parentSpanId) : undefined;
      expect(ancestor, `${statement.name} descends from the subgraph's request span`).toBe(served);
      // The statement's text has placeholders, never the values (no personal data in traces).
      const text = attribute(statement, 'db.query.text')?.stringValue ?? '';
      expect(text).toMatch(/^(select|insert|update|delete|with|pragma|begin|commit)/i);
      for (const employer of body.data.employers.nodes) expect(text).not.toContain(employer.siret);
    }
    expect(trace.some((s) => s.service === 'passerelle-gateway' && s.name === 'gateway.request'), 'ApolloGateway\'s own spans are in the trace').toBe(true);

    // The subgraph's metrics: the operation by name, SQL statements by kind, audit writes, errors by code.
    const metrics = await (await fetch(new URL('/metrics', subgraph.url))).text();
    expect(metrics).toMatch(/^passerelle_operations_total\{operation="ObservedEmployers",outcome="ok",subgraph="pole-emploi"\} 1$/m);
    expect(metrics).toMatch(/^passerelle_operation_duration_seconds_count\{subgraph="pole-emploi",operation="ObservedEmployers"\} 1$/m);
    expect(Number(/^passerelle_sql_statements_total\{kind="select",outcome="ok",subgraph="pole-emploi"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^passerelle_audit_writes_total\{outcome="ok",subgraph="pole-emploi"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/^# TYPE passerelle_sql_statement_duration_seconds histogram$/m);
    expect(metrics).toMatch(/^# TYPE passerelle_operation_errors_total counter$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes\{subgraph="pole-emploi"\} \d+/m);

    // The gateway's: the operation, the call to the subgraph, the plan cache, the circuit.
    const gatewayMetrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    expect(gatewayMetrics).toMatch(/^passerelle_gateway_requests_total\{operation="ObservedEmployers",outcome="ok"\} 1$/m);
    expect(gatewayMetrics).toMatch(/^passerelle_subgraph_requests_total\{subgraph="pole-emploi",outcome="ok"\} \d+$/m);
    expect(gatewayMetrics).toMatch(/^passerelle_gateway_query_plan_cache_total\{result="miss"\} \d+$/m);
    expect(gatewayMetrics).toMatch(/^passerelle_gateway_rate_limit_store_up \d$/m);
  });
});
