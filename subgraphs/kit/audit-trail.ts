// The DPO trail of a person (Person.auditTrail), paged in SQL across the four partners' audit logs.
// Design and reasons: docs/adr/audit-trail-paging.md. In short:
//   1. pole-emploi's Person.auditTrail(first, after) answers an AuditEntryConnection entity keyed
//      by an inaccessible `window`: the person, the page size, an as-of instant and, per partner,
//      the keyset position (at, id) of the last entry already shown.
//   2. Each partner resolves that entity by reference and answers `<partner>AuditWindow`: its next
//      `first` entries after its own position (keyset on (at, id), index (person_id, at, id)) and
//      its count, both up to the as-of instant, so entries appended while paging shift nothing.
//   3. pole-emploi merges its own window and the three others by (at desc, id desc), keeps
//      `first`, and hands out the next window as the cursor, sealed by kit/cursor.ts.
// Every window is empty without audit:read: the gateway does not check the scopes of fields it
// @requires, so each subgraph checks the scope itself.
import type { FilterQuery } from '@mikro-orm/core';
import { AuditEntry, auditEntryView } from './audit.ts';
import { hasScope } from './caller.ts';
import type { SubgraphContext } from './context.ts';
import { ErrorCode, reject } from './errors.ts';
import { page, type Connection, type PageArgs } from './pagination.ts';

export const AUDIT_PARTNERS = ['FRANCE_TRAVAIL', 'CAP_EMPLOI', 'AGEFIPH', 'FIPHFP'] as const;
export type AuditPartner = (typeof AUDIT_PARTNERS)[number];

/** Where a partner's part of the trail stands: the last entry shown (epoch ms, id), or null before its first. */
type Position = readonly [at: number, id: string] | null;

/** What a page of the trail is computed from (the `window` key of AuditEntryConnection). */
export interface TrailWindow {
  readonly personId: string;
  readonly first: number;
  /** Epoch ms: only entries at or before it belong to this paging (fixed on the first page). */
  readonly asOf: number;
  readonly positions: readonly Position[];
}

/** One partner's contribution to a page: its next entries after its position, and its count. */
export interface PartnerWindow {
  readonly entries: ReturnType<typeof auditEntryView>[];
  readonly count: number;
  readonly hasMore: boolean;
}

type Entry = ReturnType<typeof auditEntryView>;

// ---- encodings --------------------------------------------------------------------------------

const invalidCursor = (): never => reject(ErrorCode.INVALID_INPUT, 'after is not a cursor returned by this field', 'after');

function isPosition(value: unknown): value is Position {
  return value === null || (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string' && value[1].length > 0 && value[1].length <= 64);
}

function parseWindow(json: unknown): TrailWindow | null {
  if (!Array.isArray(json) || json.length !== 4) return null;
  const [personId, first, asOf, positions] = json as unknown[];
  if (typeof personId !== 'string' || !personId || personId.length > 64) return null;
  if (!Number.isInteger(first) || (first as number) < 1 || (first as number) > 100 || !Number.isSafeInteger(asOf)) return null;
  if (!Array.isArray(positions) || positions.length !== AUDIT_PARTNERS.length || !positions.every(isPosition)) return null;
  return { personId, first: first as number, asOf: asOf as number, positions };
}

const windowJson = (w: TrailWindow) => JSON.stringify([w.personId, w.first, w.asOf, w.positions]);

/**
 * The window key as the gateway carries it between subgraphs. It is @inaccessible (clients never
 * see it) and reaches a subgraph only in a call signed by the gateway; it holds no more than the
 * Person representation the previous plumbing received (the person id).
 */
export function encodeWindow(w: TrailWindow): string {
  return Buffer.from(windowJson(w)).toString('base64url');
}

/** The window of a first page: every partner from its newest entry, as of `asOf`. */
export function firstWindow(personId: string, first: number, asOf: Date = new Date()): string {
  return encodeWindow({ personId, first, asOf: asOf.getTime(), positions: AUDIT_PARTNERS.map(() => null) });
}

export function decodeWindow(key: string): TrailWindow {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
  } catch {
    json = null;
  }
  return parseWindow(json) ?? reject(ErrorCode.INVALID_INPUT, 'not an audit trail window', 'window');
}

// ---- Person.auditTrail (pole-emploi) -----------------------------------------------------------

/**
 * The window of the page asked for: from the start (as of now) without `after`, else from the
 * positions in `after`, which must have been issued for this person. `after` arrives opened: the
 * kit seals every cursor of Person.auditTrail (kit/cursor.ts sealCursors, the connection entity
 * included), so a changed or foreign cursor is refused before this runs.
 */
export function openAuditTrail(personId: string, args: PageArgs, now: Date = new Date()): { window: string } {
  const { first, after } = page(args);
  if (!after) return { window: firstWindow(personId, first, now) };
  let parsed: TrailWindow | null = null;
  try {
    parsed = parseWindow(JSON.parse(Buffer.from(after, 'base64url').toString('utf8')));
  } catch {
    parsed = null;
  }
  if (!parsed || parsed.personId !== personId) return invalidCursor();
  return { window: encodeWindow({ ...parsed, first }) };
}

// ---- one partner's window (the four subgraphs) --------------------------------------------------

/** The next `first` entries of `partner`'s log for the window's person after its position, and its count. */
export async function auditWindow(ctx: SubgraphContext, window: TrailWindow, partner: AuditPartner): Promise<PartnerWindow> {
  // A person's trail is theirs: a data-protection officer with a territory reads the trails of its residents only.
  if (!hasScope(ctx.caller, 'audit:read') || !(await ctx.perimeter.includesPerson(window.personId))) return { entries: [], count: 0, hasMore: false };
  const asOf = new Date(window.asOf);
  const position = window.positions[AUDIT_PARTNERS.indexOf(partner)];
  const ofPaging = { personId: window.personId, at: { $lte: asOf } };
  // (at, id) < position, written so that both databases walk the index (person_id, at, id)
  // backwards from the position and stop after `first + 1` rows: the range bound is on `at` alone,
  // the rest is a filter (an OR of two ranges would make PostgreSQL collect and sort the whole tail).
  const where = position
    ? { personId: window.personId, at: { $lte: new Date(Math.min(position[0], window.asOf)) }, $or: [{ at: { $ne: new Date(position[0]) } }, { id: { $lt: position[1] } }] }
    : ofPaging;
  const [rows, count] = await Promise.all([
    ctx.em.find(AuditEntry, where as FilterQuery<never>, { orderBy: [{ at: 'desc' }, { id: 'desc' }], limit: window.first + 1, disableIdentityMap: true }),
    ctx.em.count(AuditEntry, ofPaging as FilterQuery<never>),
  ]);
  return { entries: rows.slice(0, window.first).map((row) => auditEntryView(row, partner)), count, hasMore: rows.length > window.first };
}

/**
 * Resolvers of AuditEntryConnection in a partner subgraph: the entity by its window, and the
 * partner's `<partner>AuditWindow` field (e.g. `auditWindowResolvers('AGEFIPH', 'agefiphAuditWindow')`).
 */
export function auditWindowResolvers(partner: AuditPartner, field: string) {
  return {
    __resolveReference: (ref: { window: string }) => ({ window: ref.window }),
    [field]: (ref: { window: string }, _: unknown, ctx: SubgraphContext) => auditWindow(ctx, decodeWindow(ref.window), partner),
  };
}

// ---- the merge (pole-emploi) --------------------------------------------------------------------

/** Newest first; ties on the instant by id, then partner (ids are UUIDs: ties across partners do not happen in practice). */
function newerFirst(a: { entry: Entry; partner: number }, b: { entry: Entry; partner: number }): number {
  const at = Date.parse(b.entry.at) - Date.parse(a.entry.at);
  if (at) return at;
  if (a.entry.id !== b.entry.id) return a.entry.id < b.entry.id ? 1 : -1;
  return b.partner - a.partner;
}

/**
 * The page: the four windows (in AUDIT_PARTNERS order) merged by (at desc, id desc), `first`
 * kept, the true total as of the window's instant, and the positions after this page as the cursor
 * (the next window; sealed by kit/cursor.ts on its way out).
 */
export function mergeAuditWindows(window: TrailWindow, windows: readonly (PartnerWindow | null | undefined)[]): Connection<Entry> {
  const candidates = windows.flatMap((w, partner) => (w?.entries ?? []).map((entry) => ({ entry, partner })));
  candidates.sort(newerFirst);
  const taken = candidates.slice(0, window.first);
  const positions = [...window.positions];
  for (const { entry, partner } of taken) positions[partner] = [Date.parse(entry.at), entry.id];
  const hasNextPage = candidates.length > taken.length || windows.some((w) => w?.hasMore);
  return {
    nodes: taken.map((t) => t.entry),
    totalCount: windows.reduce((sum, w) => sum + (w?.count ?? 0), 0),
    pageInfo: { hasNextPage, endCursor: taken.length ? encodeWindow({ ...window, positions }) : null },
  };
}

/**
 * Resolvers of AuditEntryConnection in pole-emploi: its own window read here, the three others
 * received through @requires, one merge per entity (nodes, totalCount and pageInfo share it).
 */
export function auditTrailResolvers(windowFields: Readonly<Record<Exclude<AuditPartner, 'FRANCE_TRAVAIL'>, string>>) {
  type Ref = { window: string } & Record<string, PartnerWindow | undefined>;
  return {
    async __resolveReference(ref: Ref, ctx: SubgraphContext) {
      const window = decodeWindow(ref.window);
      const own = await auditWindow(ctx, window, 'FRANCE_TRAVAIL');
      return mergeAuditWindows(window, [own, ref[windowFields.CAP_EMPLOI], ref[windowFields.AGEFIPH], ref[windowFields.FIPHFP]]);
    },
  };
}
