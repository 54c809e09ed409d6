// Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: the functions with the
// most self time, and the same time summed by package (node_modules/<package>, our own folders,
// Node's internals, the garbage collector), so that optimisations start from measurements.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileItem {
  readonly name: string;
  readonly ms: number;
  /** Share of the busy (non-idle) time. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: readonly ProfileItem[];
  readonly packages: readonly ProfileItem[];
}

const IDLE = new Set(['(idle)']);

/** Node's own modules by subsystem: node:internal/crypto/util → node:crypto, undici → node:undici (fetch). */
function nodeSubsystem(url: string): string {
  const name = url.slice('node:'.length).replace(/^internal\//, '').replace(/^deps\//, '');
  const first = name.split('/')[0].replace(/^_/, '').replace(/_.*$/, '');
  return first === 'undici' ? 'node:undici (fetch)' : `node:${first}`;
}

function where(url: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (file.startsWith('node:')) return nodeSubsystem(file);
  if (file.startsWith('wasm:')) return 'wasm (in the gateway: undici\'s HTTP parser)';
  const relative = path.relative(ROOT, file);
  return relative.startsWith('..') ? file : relative.split('/').slice(0, relative.startsWith('subgraphs/') ? 2 : 1).join('/') + '/';
}

function shortFile(url: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const modules = file.lastIndexOf('/node_modules/');
  return modules >= 0 ? file.slice(modules + '/node_modules/'.length) : path.relative(ROOT, file) || file;
}

/** A span of the machine's monotonic clock, in microseconds (V8 stamps its samples on it). */
export interface Span {
  readonly fromUs: number;
  readonly toUs: number;
}

/** Summarises the samples taken during `spans` (start-up and idle periods between them left out). */
export function summariseProfile(file: string, spans: readonly Span[], top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (spans.some((s) => at >= s.fromUs && at <= s.toUs)) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (IDLE.has(functionName)) {
      idle += us;
      continue;
    }
    busy += us;
    const name = url ? `${functionName || '(anonymous)'} ${shortFile(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
    functions.set(name, (functions.get(name) ?? 0) + us);
    const pkg = url ? where(url) : functionName || '(native)';
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const rank = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((us / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000), functions: rank(functions, top), packages: rank(packages, 10) };
}
