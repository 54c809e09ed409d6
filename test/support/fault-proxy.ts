// A TCP proxy of the tests' own, put between the gateway and one subgraph to inject the faults of
// the wire: `stall` holds every byte sent to the subgraph (released, in order, when the mode goes
// back to `pass`), `cut` destroys every connection and refuses new ones, `garble` answers the next
// request of each connection with a 200 whose body is not JSON, `answer` with a 200 and the JSON the
// test gave (`answerWith`: a subgraph answering what it should not), `swallow` lets the request reach
// the subgraph but keeps its answer (the test then knows the subgraph did its work).
import { EventEmitter } from 'node:events';
import net from 'node:net';

export type ProxyMode = 'pass' | 'stall' | 'cut' | 'garble' | 'answer' | 'swallow';

interface Link {
  readonly client: net.Socket;
  upstream: net.Socket | null;
  readonly held: Buffer[];
}

const GARBAGE = '{"data": {"this is": not JSON';

export class FaultProxy extends EventEmitter {
  readonly #server: net.Server;
  readonly #links = new Set<Link>();
  #target: { host: string; port: number };
  #mode: ProxyMode = 'pass';
  #answer = '';
  /** Connections the gateway opened to this subgraph, and requests (first bytes) it sent. */
  connections = 0;
  requests = 0;

  private constructor(target: string) {
    super();
    this.#target = FaultProxy.#address(target);
    this.#server = net.createServer((client) => this.#accept(client));
  }

  static #address(url: string) {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: Number(parsed.port) };
  }

  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}/`;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Where the subgraph now listens (after a restart on another port). */
  retarget(url: string): void {
    this.#target = FaultProxy.#address(url);
  }

  setMode(mode: ProxyMode): void {
    this.#mode = mode;
    for (const link of this.#links) {
      if (mode === 'cut') this.#drop(link);
      else if (mode === 'pass') this.#flush(link);
    }
  }

  /** Answers every next request with this body (mode `answer`) until the mode changes. */
  answerWith(body: unknown): void {
    this.#answer = JSON.stringify(body);
    this.setMode('answer');
  }

  #accept(client: net.Socket): void {
    this.connections += 1;
    if (this.#mode === 'cut') {
      client.destroy();
      return;
    }
    const link: Link = { client, upstream: null, held: [] };
    this.#links.add(link);
    client.on('error', () => this.#drop(link));
    client.on('close', () => this.#drop(link));
    client.on('data', (chunk: Buffer) => this.#fromClient(link, chunk));
  }

  #fromClient(link: Link, chunk: Buffer): void {
    if (/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/.test(chunk.toString('latin1', 0, 32))) {
      this.requests += 1;
      this.emit('request', this.#mode);
    }
    switch (this.#mode) {
      case 'cut':
        return this.#drop(link);
      case 'stall':
        link.held.push(chunk);
        this.emit('held');
        return;
      case 'garble':
      case 'answer': {
        const body = this.#mode === 'garble' ? GARBAGE : this.#answer;
        link.client.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      default:
        link.held.push(chunk);
        this.#flush(link);
    }
  }

  #flush(link: Link): void {
    if (link.client.destroyed) return;
    const upstream = link.upstream ?? this.#connect(link);
    while (link.held.length) upstream.write(link.held.shift()!);
  }

  #connect(link: Link): net.Socket {
    const upstream = net.connect(this.#target.port, this.#target.host);
    link.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => {
      if (this.#mode === 'swallow') {
        this.emit('swallowed', chunk.length);
        return;
      }
      link.client.write(chunk);
    });
    upstream.on('error', () => this.#drop(link));
    upstream.on('close', () => this.#drop(link));
    return upstream;
  }

  #drop(link: Link): void {
    if (!this.#links.delete(link)) return;
    link.client.destroy();
    link.upstream?.destroy();
  }

  async close(): Promise<void> {
    for (const link of [...this.#links]) this.#drop(link);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
