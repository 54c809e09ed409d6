// `npm run dev -- --only agefiph`: a partner team works on its subgraph alone. Its subgraph runs from
// the working tree and restarts on save (node --watch); the other subgraphs run the committed code
// (git archive HEAD), as `npm start` runs them; the gateway serves the supergraph recomposed from the
// team's working-tree schema and the others' committed ones, recomposed on every save (the gateway
// reloads the file), and each save prints what `npm run schema:check` would say.
// Without --only, every subgraph runs from the working tree. `--port 0` takes free ports (tests).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkSubgraph, readBaseline } from '../schema/check.ts';
import { composeSources, committedFile, proposedSources } from '../schema/composition.ts';
import { DEFAULT_PORTS, SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';
import { mintDevToken } from './dev-token.ts';
import { ensureDevKeys } from './keys.ts';
import { spawnService, stopAllServices, stopServicesOnSignals, type ServiceProcess } from './processes.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The committed subgraphs, extracted once per commit under <dataDir>/dev/ (older extractions removed). */
function committedCheckout(devDir: string): { dir: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = path.join(devDir, `committed-${commit}`);
  for (const old of existsSync(devDir) ? readdirSync(devDir).filter((d) => d.startsWith('committed-') && d !== path.basename(dir)) : []) {
    rmSync(path.join(devDir, old), { recursive: true, force: true });
  }
  if (!existsSync(path.join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', 'HEAD', 'subgraphs', 'package.json'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`git archive HEAD failed: ${archive.stderr}`);
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    // The committed code resolves its packages from the working tree's installation.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  }
  return { dir, commit };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface DevOptions {
  /** Subgraphs run from the working tree (the others run the committed code). */
  readonly only: readonly string[];
  readonly dataDir: string;
  /** 0: free ports for the gateway and the subgraphs. */
  readonly port: number;
}

export async function startDev(options: DevOptions): Promise<{ gatewayUrl: string; stop(): Promise<void> }> {
  const devDir = path.join(options.dataDir, 'dev');
  mkdirSync(devDir, { recursive: true });
  const keys = await ensureDevKeys(options.dataDir);
  const fromHead = SUBGRAPHS.filter((s) => !options.only.includes(s));
  const committed = fromHead.length ? committedCheckout(devDir) : null;
  const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (s) => [s, options.port === 0 ? await freePort() : DEFAULT_PORTS[s]] as const)));

  // The supergraph of this working copy, written where the gateway watches it.
  const supergraphPath = path.join(devDir, 'supergraph.graphql');
  const baseline = readBaseline(ROOT);
  const recompose = async (why: string): Promise<boolean> => {
    const started = performance.now();
    const composed = composeSources(proposedSources(ROOT, options.only, baseline.committed));
    if (!composed.supergraphSdl) {
      say(`${why}: composition FAILS, the gateway keeps the previous supergraph:\n${composed.errors.map((e) => `  ${e}`).join('\n')}`);
      return false;
    }
    writeFileSync(supergraphPath, composed.supergraphSdl);
    say(`${why}: supergraph recomposed in ${Math.round(performance.now() - started)} ms`);
    for (const subgraph of options.only) {
      const report = await checkSubgraph(baseline, subgraph);
      const counts = (['breaking', 'dangerous', 'safe'] as const).map((l) => `${report.changes.filter((c) => c.level === l).length} ${l}`).join(', ');
      say(`  schema:check ${subgraph}: ${counts}; ${report.brokenOperations.length ? `registered operations that break: ${report.brokenOperations.map((b) => `${b.app} ${b.operation}`).join(', ')}` : 'every registered operation validates'}${report.failed ? ' => would FAIL' : ''}`);
    }
    return true;
  };
  if (!(await recompose('start'))) {
    // Serve what is deployed meanwhile, so the team can fix its schema with the stack running.
    writeFileSync(supergraphPath, committedFile(ROOT, 'schema/supergraph.graphql') ?? '');
  }

  const onLog = (name: string) => (line: string) => {
    if (/^PASSERELLE_READY /.test(line) && started.has(name)) say(`${name} restarted from the working tree`);
    if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`[${name}] ${line}\n`);
    if (name === 'gateway' && /"msg":"supergraph reload/.test(line)) say(/refused/.test(line) ? 'the gateway refused the new supergraph' : 'the gateway reloaded the supergraph');
  };
  const started = new Set<string>();
  const subgraphs = await Promise.all(SUBGRAPHS.map(async (name) => {
    const fromWorkingTree = options.only.includes(name);
    const proc = await spawnService({
      name,
      entry: `subgraphs/${name}/main.ts`,
      cwd: fromWorkingTree ? ROOT : committed!.dir,
      // Restart on any change of the team's folder or of the kit it runs with.
      nodeArgs: fromWorkingTree ? ['--watch', '--watch-preserve-output', `--watch-path=subgraphs/${name}`, '--watch-path=subgraphs/kit'] : [],
      onLog: onLog(name),
      env: { DATA_DIR: options.dataDir, PORT: String(ports[name]), GATEWAY_JWKS_FILE: keys.gateway.publicJwks },
    });
    started.add(name);
    return proc;
  }));
  const gateway: ServiceProcess = await spawnService({
    name: 'gateway',
    entry: 'gateway/main.ts',
    onLog: onLog('gateway'),
    env: {
      DATA_DIR: options.dataDir, PORT: String(options.port), SUPERGRAPH_PATH: supergraphPath, LOG_LEVEL: 'info',
      ISSUER_JWKS_FILE: keys.issuer.publicJwks, GATEWAY_SIGNING_KEY_FILE: keys.gateway.privateKey,
      ...Object.fromEntries(subgraphs.map((s) => [`SUBGRAPH_URL_${s.name.toUpperCase().replace(/-/g, '_')}`, s.url])),
    },
  });

  const watched = [...options.only.map((s) => path.join(ROOT, 'subgraphs', s, 'schema.graphql')), path.join(ROOT, 'subgraphs/kit/common.graphql')];
  for (const file of watched) watchFile(file, { interval: 300 }, () => void recompose(`${path.relative(ROOT, file)} saved`));

  say([
    '',
    `Passerelle dev is ready: gateway ${gateway.url}`,
    ...subgraphs.map((s) => `  ${s.name.padEnd(12)} ${s.url}  ${options.only.includes(s.name) ? 'working tree, restarts on save' : `committed (${committed!.commit})`}`),
    `  supergraph   ${supergraphPath} (recomposed when ${options.only.join(', ')} or kit/common.graphql is saved)`,
    '',
    `Development token (France Travail case-manager, national: territory *): ${await mintDevToken(options.dataDir, { organisation: 'france-travail', role: 'case-manager', territory: '*' })}`,
    'Other roles: npm run token -- --org agefiph --role case-manager',
    '',
  ].join('\n'));
  return {
    gatewayUrl: gateway.url,
    async stop() {
      for (const file of watched) unwatchFile(file);
      await stopAllServices();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopServicesOnSignals();
  const { values } = parseArgs({ options: { only: { type: 'string' }, port: { type: 'string' } } });
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [...SUBGRAPHS];
  const unknown = only.filter((s) => !(SUBGRAPHS as readonly string[]).includes(s));
  if (unknown.length) {
    process.stderr.write(`unknown subgraph ${unknown.join(', ')} (subgraphs: ${SUBGRAPHS.join(', ')})\n`);
    process.exit(2);
  }
  await startDev({ only, dataDir: path.resolve(process.env.DATA_DIR ?? path.join(ROOT, '.data')), port: Number(values.port ?? process.env.PORT ?? 4000) });
}
