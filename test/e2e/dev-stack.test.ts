// `npm run dev -- --only agefiph` as the Agefiph team uses it, on a throw-away copy of the repository
// (its own git history, its own data directory and free ports): the team's subgraph runs from the
// working tree and restarts on save, the others run the committed code, the gateway serves the
// supergraph recomposed on save.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../gateway/dev-token.ts';

let copy: string;
let dev: ChildProcess;
let gatewayUrl: string;
const output: string[] = [];
const waiters = new Set<{ pattern: RegExp; resolve: () => void }>();

function onLine(line: string) {
  output.push(line);
  for (const waiter of waiters) {
    if (waiter.pattern.test(line)) {
      waiters.delete(waiter);
      waiter.resolve();
    }
  }
}

/** Resolves when the dev command prints a matching line after this call. */
const printed = (pattern: RegExp) => new Promise<void>((resolve) => waiters.add({ pattern, resolve }));

function edit(file: string, from: string | RegExp, to: string) {
  const full = path.join(copy, file);
  const text = readFileSync(full, 'utf8');
  expect(text.replace(from, to), `${String(from)} is in ${file}`).not.toBe(text);
  writeFileSync(full, text.replace(from, to));
}

async function query(body: string) {
  const token = await mintDevToken(path.join(copy, '.data'), { organisation: 'agefiph', role: 'case-manager' });
  const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: body }) });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

// The dev command runs on SQLite whatever the CI database: it runs once, in the SQLite pass.
describe.skipIf(Boolean(process.env.TEST_POSTGRES_URL))('npm run dev -- --only agefiph', () => {
  beforeAll(async () => {
    copy = mkdtempSync(path.join(tmpdir(), 'passerelle-dev-'));
    const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).split('\0').filter((f) => f && existsSync(f));
    for (const file of tracked) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      cpSync(file, path.join(copy, file));
    }
    symlinkSync(path.resolve('node_modules'), path.join(copy, 'node_modules'), 'dir');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@passerelle.invalid', ...args], { cwd: copy, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');

    const ready = printed(/^Passerelle dev is ready: gateway /);
    dev = spawn(process.execPath, ['gateway/dev-stack.ts', '--only', 'agefiph', '--port', '0'], {
      cwd: copy,
      env: { ...process.env, DATA_DIR: path.join(copy, '.data'), SEED_SCALE: '100', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [dev.stdout!, dev.stderr!]) {
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          onLine(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
    }
    const exited = new Promise<never>((_, reject) => dev.once('exit', (code) => reject(new Error(`npm run dev exited (${code}):\n${output.join('\n')}`))));
    await Promise.race([ready, exited]);
    gatewayUrl = /gateway (\S+)/.exec(output.find((l) => l.startsWith('Passerelle dev is ready'))!)![1];
  });

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      dev.kill('SIGTERM');
      await exited;
    }
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('says which subgraph runs from the working tree and which run the committed code', () => {
    expect(output.join('\n')).toMatch(/agefiph\s+http:\S+\s+working tree, restarts on save/);
    for (const other of ['pole-emploi', 'cap-emploi', 'fiphfp']) expect(output.join('\n')).toMatch(new RegExp(`${other}\\s+http:\\S+\\s+committed \\(`));
  });

  it('serves a field the team adds on save, through its restarted subgraph and the recomposed supergraph; another team\'s uncommitted edit is not served', async () => {
    const added = '{ agefiphAid(code: "AETH") { code summary } }';
    expect((await query(added)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // Another team's working copy has changed too, without committing: it must not leak in.
    edit('subgraphs/fiphfp/schema.graphql', /type FiphfpAid \{\n/, 'type FiphfpAid {\n  "Not committed."\n  summary: String\n');

    const recomposed = printed(/^subgraphs\/agefiph\/schema\.graphql saved: supergraph recomposed/);
    const reloaded = printed(/^the gateway reloaded the supergraph/);
    const restarted = printed(/^agefiph restarted from the working tree/);
    const checked = printed(/^  schema:check agefiph: 0 breaking, 0 dangerous, [1-9]\d* safe; every registered operation validates$/);
    edit('subgraphs/agefiph/schema.graphql', /type AgefiphAid \{\n/, 'type AgefiphAid {\n  "A one-line summary of the aid (not written yet)."\n  summary: String\n');
    await Promise.all([recomposed, reloaded, restarted, checked]);

    const res = await query(added);
    expect(res.errors).toBeUndefined();
    expect(res.data.agefiphAid).toEqual({ code: 'AETH', summary: null });
    expect((await query('{ fiphfpCatalogue(first: 1) { nodes { code summary } } }')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('reports a schema that does not compose and keeps serving the previous supergraph', async () => {
    const refused = printed(/^subgraphs\/agefiph\/schema\.graphql saved: composition FAILS/);
    const restarted = printed(/^agefiph restarted from the working tree/);
    edit('subgraphs/agefiph/schema.graphql', /(type Person @key\(fields: "id"\) \{\n(?:  "[^\n]*\n)?)  id: ID!/, '$1  id: String!');
    await Promise.all([refused, restarted]);
    const res = await query('{ agefiphAid(code: "AETH") { code label } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.agefiphAid.code).toBe('AETH');
  });
});
