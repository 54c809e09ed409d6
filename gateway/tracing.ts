// OpenTelemetry traces of the gateway: ApolloGateway's own spans (request, validate, plan, execute,
// fetch per subgraph) plus one client span per subgraph call (subgraph-calls.ts), whose W3C trace
// context travels in the `traceparent` header so the subgraph's spans join the same trace.
// Nothing is exported unless the standard OTEL_* variables ask for OTLP (see config.ts); spans carry
// operation names, subgraph names and codes, never variables or personal data.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, envDetector, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler, TracerProvider,
  type Sampler, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ConfigError } from '../subgraphs/kit/config.ts';

export interface TracingConfig {
  /** `otlp` when OTEL_TRACES_EXPORTER=otlp or an OTEL_EXPORTER_OTLP_*ENDPOINT is set; `none` otherwise. */
  readonly exporter: 'otlp' | 'none';
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, as the specification names them. */
  readonly sampler: string;
  readonly samplerArg: number;
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

/** Reads the standard OTEL_* variables that decide whether and what to export. */
export function tracingConfig(env: Readonly<Record<string, string | undefined>>): TracingConfig {
  const named = env.OTEL_TRACES_EXPORTER?.trim();
  if (named && named !== 'otlp' && named !== 'none') throw new ConfigError('OTEL_TRACES_EXPORTER must be otlp or none');
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const sampler = env.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_always_on';
  if (!SAMPLERS.includes(sampler)) throw new ConfigError(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  const samplerArg = env.OTEL_TRACES_SAMPLER_ARG ? Number(env.OTEL_TRACES_SAMPLER_ARG) : 1;
  if (!(samplerArg >= 0 && samplerArg <= 1)) throw new ConfigError('OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1');
  return Object.freeze({ exporter: named === 'otlp' || (!named && endpoint) ? 'otlp' : 'none', sampler, samplerArg });
}

export interface Tracing {
  shutdown(): Promise<void>;
}

function samplerOf(name: string, ratio: number): Sampler {
  switch (name) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default: return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Registers the process's tracer provider, context manager and W3C propagator. `exporter` is for
 * tests (an in-memory exporter); otherwise OTLP over HTTP when configured, else nothing.
 */
export function startTracing(serviceName: string, config: TracingConfig, exporter?: SpanExporter): Tracing {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const processors: SpanProcessor[] = [];
  if (exporter) processors.push(new SimpleSpanProcessor({ exporter }));
  else if (config.exporter === 'otlp') processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  if (processors.length === 0) return { shutdown: async () => {} };
  const provider = new TracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the name given here.
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName })).merge(detectResources({ detectors: [envDetector] })),
    sampler: samplerOf(config.sampler, config.samplerArg),
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}

const tracer = trace.getTracer('passerelle');

/** Runs `work` in an active client span, which ends (marked failed on a throw) when `work` settles. */
export async function inClientSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Writes the active trace context (W3C `traceparent`, `tracestate`) into outgoing headers. */
export function injectTraceContext(headers: { set(name: string, value: string): void }): void {
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}
