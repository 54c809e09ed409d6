// What the benchmark reads from Linux: CPU time and peak memory of a process (/proc/<pid>/stat and
// status), CPU time of the whole machine (/proc/stat), the load average, and the machine itself.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc's CPU counters (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = Number(tryExec('getconf', ['CLK_TCK']) || 100);

function tryExec(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU time (user + system) of a live process in milliseconds; null once it is gone. */
export function cpuMs(pid: number): number | null {
  const f = statFields(pid);
  // After the name: state is field 3 (index 0), utime 14 (index 11), stime 15 (index 12).
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND : null;
}

/** CPU time of this process and of its children already reaped (wrk runs end before we read). */
export function ownCpuMs(): number {
  const f = statFields('self')!;
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / TICKS_PER_SECOND;
}

/**
 * A live process and all its descendants, root first (a node:cluster primary and its workers): every
 * process whose parent, in /proc/<pid>/stat, is in the tree. Empty once the root is gone.
 */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // After the name: the parent's pid is field 4 (index 1).
    const parent = Number(statFields(Number(entry))?.[1]);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  if (!statFields(root)) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Peak resident memory of a live process (VmHWM) in MiB; null once it is gone. */
export function peakRssMiB(pid: number): number | null {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Peak resident memory of a live process and its descendants: the sum of each one's peak (an upper
 * bound: they need not peak at once), in MiB; null once the root is gone.
 */
export function treePeakRssMiB(root: number): number | null {
  const peaks = processTree(root).map(peakRssMiB);
  return peaks.length && peaks.every((p) => p !== null) ? peaks.reduce((a, b) => a! + b!, 0) : null;
}

/** CPU time the whole machine spent busy (every core, all processes), in milliseconds. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + (steal || 0)) * 1000) / TICKS_PER_SECOND;
}

export function loadAverage(): readonly [number, number, number] {
  const [a, b, c] = os.loadavg();
  return [round2(a), round2(b), round2(c)];
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  readonly os: string;
  readonly wrk: string;
  readonly postgres: string | null;
}

export function describeMachine(postgres: string | null): Machine {
  const osRelease = /PRETTY_NAME="([^"]+)"/.exec(tryRead('/etc/os-release'))?.[1] ?? os.type();
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: round2(os.totalmem() / 1024 ** 3),
    node: process.version,
    kernel: os.release(),
    os: osRelease,
    wrk: tryExec('wrk', ['--version']).split('\n')[0].split(' Copyright')[0] || tryExecStderr('wrk'),
    postgres,
  };
}

function tryRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tryExecStderr(command: string): string {
  // `wrk --version` prints its banner and exits with 1.
  try {
    execFileSync(command, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n')[0].split(' Copyright')[0].trim();
  }
}

/** Installs Debian's wrk when it is missing (the machine's package manager, as the issue asks). */
export function ensureWrk(write: (line: string) => void): void {
  if (tryExecStderr('wrk') || tryExec('which', ['wrk'])) return;
  write('wrk is missing: installing Debian\'s package (apt-get install -y wrk)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore', env });
  } catch {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore', env });
  }
}
