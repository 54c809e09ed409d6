// An OTLP/HTTP trace collector of a test's own: processes started with OTEL_EXPORTER_OTLP_ENDPOINT set
// to its URL export their spans to it, kept in memory with the name of the service that sent them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
  service: string;
}

export interface SpanCollector {
  /** The value of OTEL_EXPORTER_OTLP_ENDPOINT for the processes to observe. */
  readonly url: string;
  /** Every span received so far, in order of arrival. */
  readonly spans: OtlpSpan[];
  close(): Promise<void>;
}

export async function startSpanCollector(): Promise<SpanCollector> {
  const spans: OtlpSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      const message = JSON.parse(body) as { resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: Omit<OtlpSpan, 'service'>[] }[] }[] };
      for (const { resource, scopeSpans } of message.resourceSpans) {
        const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of scopeSpans) for (const span of scope.spans) spans.push({ ...span, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
