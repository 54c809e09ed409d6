// OpenTelemetry traces of the gateway: ApolloGateway's own spans (request, validate, plan, execute,
// fetch per subgraph) plus one client span per subgraph call (subgraph-calls.ts), whose W3C trace
// context travels in the `traceparent` header so the subgraph's spans join the same trace.
// Nothing is exported unless the standard OTEL_* variables ask for OTLP (see config.ts); spans carry
// operation names, subgraph names and codes, never variables or personal data.
import { context, propagation, SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { inSpan } from '../subgraphs/kit/tracing.ts';

export { startTracing, tracingConfig, type Tracing, type TracingConfig } from '../subgraphs/kit/tracing.ts';

/** Runs `work` in an active client span, which ends (marked failed on a throw) when `work` settles. */
export function inClientSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(name, SpanKind.CLIENT, attributes, work);
}

/** Writes the active trace context (W3C `traceparent`, `tracestate`) into outgoing headers. */
export function injectTraceContext(headers: { set(name: string, value: string): void }): void {
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}
