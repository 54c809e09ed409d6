// OpenTelemetry for every Passerelle process (gateway and subgraphs): the tracer provider, the W3C
// trace context propagator and the exporter chosen by the standard OTEL_* variables (none by
// default); on a subgraph, one server span per HTTP request continuing the gateway's `traceparent`,
// and one client span per SQL statement (kit/metrics.ts wraps the ORM's statements). Spans carry
// operation names, statement texts with their placeholders, codes: never parameters or personal data.
import type http from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, envDetector, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler, TracerProvider,
  type Sampler, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ConfigError } from './config.ts';

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

/** Whether this process exports spans (startTracing registered a provider); false: every span is a no-op. */
let recording = false;
export const tracingRecords = (): boolean => recording;

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
  recording = true;
  return { shutdown: () => provider.shutdown() };
}

const tracer = trace.getTracer('passerelle');

/** Runs `work` in an active span of `kind`, which ends (marked failed on a throw) when `work` settles. */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
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

/**
 * Runs every request of `server` in a server span that continues the caller's W3C trace context
 * (`traceparent`), so that the spans of its resolvers and SQL statements join the gateway's trace.
 * The span is renamed after the GraphQL operation once known (nameRequestSpan).
 */
export function traceRequests(server: http.Server, serviceName: string): void {
  const listeners = server.listeners('request') as ((req: http.IncomingMessage, res: http.ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(`${req.method} ${serviceName}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '', 'url.path': (req.url ?? '/').split('?')[0] } }, parent);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => {
      for (const listener of listeners) listener(req, res);
    });
  });
}

/** Names the active request span after its GraphQL operation (the operation name is no personal data). */
export function nameRequestSpan(serviceName: string, operation: string): void {
  const span = trace.getActiveSpan();
  span?.updateName(`${serviceName} ${operation}`);
  span?.setAttribute('graphql.operation.name', operation);
}
