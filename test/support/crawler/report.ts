// The crawler's report as a person reads it in the console; the whole report goes to a JSON file.
import type { CrawlReport, Violation } from './crawl.ts';

export function summary(report: CrawlReport): string {
  const lines = [
    `perimeter crawler on ${report.database}: ${(report.durationMs / 1000).toFixed(1)} s`,
    `  bounds: depth ${report.bounds.depth} below each entry (mutations ${report.bounds.mutationDepth}), a type at most ${report.bounds.typeRepeats}× per path, pages of ${report.bounds.pageSize}, ${report.bounds.rounds} rounds, ${report.bounds.sample} keys per side of the perimeter`,
    `  ${report.callers} callers: ${report.roles.length} roles × territories (${report.territories.join(', ')})`,
    `  paths queried ${report.pathsQueried}, answered ${report.pathsAnswered}; ${report.queries} gateway queries, ${report.directEntityCalls} direct _entities calls, ${report.mutations} mutations, ${report.replays} replays`,
    `  objects checked ${report.objectsChecked} (${report.personIdsChecked} people), audit entries matched ${report.auditChecks}`,
    `  personal-data types reached: ${Object.entries(report.personalTypesReached).map(([t, n]) => `${t} ${n}`).join(', ')}`,
    ...(report.personalTypesNotReached.length ? [`  NOT REACHED: ${report.personalTypesNotReached.join(', ')}`] : []),
    ...report.notes.map((n) => `  note: ${n}`),
    `  violations: ${report.violations.length}`,
    ...report.violationSummary.map((s) => `    ${s.kind} ${s.typename} at ${s.path} ×${s.count} (${s.callers.length} callers, e.g. ${s.callers[0]}): ${s.example}`),
  ];
  return lines.join('\n');
}

/** A short list for an assertion message: one line per violation, at most `max`. */
export function listed(violations: readonly Violation[], max = 40): string {
  const shown = violations.slice(0, max).map((v) => `${v.kind} ${v.path} [${v.role}] ${v.id}: ${v.why}`);
  return [...shown, ...(violations.length > max ? [`… and ${violations.length - max} more (see the JSON report)`] : [])].join('\n');
}
