// `npm start`: the four subgraphs and the gateway as separate processes on the embedded default,
// each subgraph seeding its database on first start, then the gateway URL and a development token.
// The end-to-end tests start the same stack (startStack) on free ports.
import path from 'node:path';
import { SUBGRAPHS, DEFAULT_PORTS } from '../subgraphs/kit/schema-files.ts';
import { databaseUrlOn } from '../subgraphs/kit/postgres-server.ts';
import { ensureDevKeys } from './keys.ts';
import { spawnService, stopServicesOnSignals, type ServiceProcess } from './processes.ts';
import { mintDevToken } from './dev-token.ts';

export interface StackOptions {
  readonly dataDir: string;
  /** Gateway port; 0 = any free port (subgraphs then use free ports too). */
  readonly port: number;
  /** PostgreSQL server URL (without database): each subgraph gets `<prefix><subgraph>` on it. */
  readonly postgresUrl?: string;
  readonly databasePrefix?: string;
  readonly seedScale?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Gateway only (e.g. NODE_ENV=production over development subgraphs). */
  readonly gatewayEnv?: Readonly<Record<string, string>>;
  readonly onLog?: (line: string) => void;
  /** The URL the gateway uses for a subgraph (tests put a proxy of their own in between). */
  readonly subgraphRoute?: (name: string, url: string) => string | Promise<string>;
}

export interface Stack {
  readonly gatewayUrl: string;
  readonly subgraphs: Readonly<Record<string, ServiceProcess>>;
  readonly gateway: ServiceProcess;
  /** Stops a subgraph if it still runs and starts it again on the same port and database. */
  restartSubgraph(name: string): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export function subgraphDatabaseUrl(postgresUrl: string, prefix: string, subgraph: string): string {
  return databaseUrlOn(postgresUrl, `${prefix}${subgraph.replace(/-/g, '_')}`);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const keys = await ensureDevKeys(options.dataDir);
  const common = { DATA_DIR: options.dataDir, ...(options.seedScale ? { SEED_SCALE: String(options.seedScale) } : {}), ...options.env };
  const started = new Set<ServiceProcess>();
  const spawnSubgraph = async (name: string, port: number) => {
    const proc = await spawnService({
      name,
      entry: `subgraphs/${name}/main.ts`,
      onLog: options.onLog,
      env: {
        ...common,
        PORT: String(port),
        GATEWAY_JWKS_FILE: keys.gateway.publicJwks,
        ...(options.postgresUrl ? { DATABASE_URL: subgraphDatabaseUrl(options.postgresUrl, options.databasePrefix ?? 'passerelle_', name) } : {}),
      },
    });
    started.add(proc);
    return proc;
  };
  try {
    const subgraphs: Record<string, ServiceProcess> = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (name) => [name, await spawnSubgraph(name, options.port === 0 ? 0 : DEFAULT_PORTS[name])] as const)));
    const urls = Object.fromEntries(await Promise.all(Object.values(subgraphs).map(async (s) => [`SUBGRAPH_URL_${s.name.toUpperCase().replace(/-/g, '_')}`, options.subgraphRoute ? await options.subgraphRoute(s.name, s.url) : s.url])));
    const gateway = await spawnService({
      name: 'gateway',
      entry: 'gateway/main.ts',
      onLog: options.onLog,
      env: { ...common, ...urls, PORT: String(options.port), ISSUER_JWKS_FILE: keys.issuer.publicJwks, GATEWAY_SIGNING_KEY_FILE: keys.gateway.privateKey, ...options.gatewayEnv },
    });
    started.add(gateway);
    return {
      gatewayUrl: gateway.url,
      gateway,
      subgraphs,
      restartSubgraph: async (name) => {
        const previous = subgraphs[name];
        await previous.stop();
        started.delete(previous);
        subgraphs[name] = await spawnSubgraph(name, Number(new URL(previous.url).port));
        return subgraphs[name];
      },
      stop: async () => {
        await Promise.all([...started].map((s) => s.stop()));
      },
    };
  } catch (error) {
    await Promise.all([...started].map((s) => s.stop()));
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopServicesOnSignals();
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
  const started = performance.now();
  const stack = await startStack({
    dataDir,
    port: Number(process.env.PORT ?? 4000),
    postgresUrl: process.env.POSTGRES_URL,
    onLog: process.env.LOG_LEVEL === 'debug' ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  const token = await mintDevToken(dataDir, { organisation: 'france-travail', role: 'case-manager', territory: '*' });
  const analyst = await mintDevToken(dataDir, { organisation: 'dgefp', role: 'analyst', territory: '*' });
  process.stdout.write([
    '',
    `Passerelle is ready in ${Math.round(performance.now() - started)} ms.`,
    `  Gateway (Apollo Sandbox): ${stack.gatewayUrl}`,
    ...Object.values(stack.subgraphs).map((s) => `  ${s.name.padEnd(12)} subgraph: ${s.url} (gateway-signed requests only)`),
    '',
    'Development token (France Travail case-manager, national: territory *). In Sandbox, open the connection settings',
    '(the gear beside the URL) and add the shared header  Authorization: Bearer <token>',
    '',
    token,
    '',
    'Other roles: npm run token -- --org cap-emploi --role counsellor --territory 27,58 (a counsellor is never national)',
    '',
    'Offline explorer (GraphiQL, the token already in its headers) and the analysts\' indicators (DGEFP analyst):',
    `  ${stack.gatewayUrl}explorer#token=${token}`,
    `  ${stack.gatewayUrl}indicators#token=${analyst}`,
    '',
  ].join('\n'));
}
