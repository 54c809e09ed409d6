// The merge of the four partners' windows into a page of the DPO trail (kit/audit-trail.ts), and the
// cursor it seals, without a server: the end-to-end paging is in test/e2e/audit-trail.test.ts.
import { describe, expect, it } from 'vitest';
import { decodeWindow, firstWindow, mergeAuditWindows, openAuditTrail, type PartnerWindow } from '../subgraphs/kit/audit-trail.ts';

const entry = (id: string, at: number, partner: string) => ({
  id, at: new Date(at).toISOString(), partner, subject: 's', organisation: 'o', role: 'r', operation: null, action: 'READ', fields: [],
});

/** A partner's log as the window would answer it: entries newest first after `position`, at most `first`. */
function windowOf(log: ReturnType<typeof entry>[], after: readonly [number, string] | null, first: number): PartnerWindow {
  const rest = log.filter((e) => !after || Date.parse(e.at) < after[0] || (Date.parse(e.at) === after[0] && e.id < after[1]));
  return { entries: rest.slice(0, first), count: log.length, hasMore: rest.length > first };
}

describe('the merge of the four audit windows', () => {
  const partners = ['FRANCE_TRAVAIL', 'CAP_EMPLOI', 'AGEFIPH', 'FIPHFP'];
  // Uneven logs with shared instants inside and across partners.
  const logs = partners.map((partner, p) => Array.from({ length: [7, 0, 13, 3][p] }, (_, k) => entry(`${p}-${String(k).padStart(3, '0')}`, 1_000_000 - Math.floor(k / 2) * 1000 - p * 500, partner))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? 1 : -1)));

  it('pages every entry once, newest first, with the same total on every page', () => {
    for (const first of [1, 2, 5, 50]) {
      let window = decodeWindow(firstWindow('psn_1', first, new Date(2_000_000)));
      const seen: string[] = [];
      for (let pages = 0; pages < 100; pages++) {
        const page = mergeAuditWindows(window, logs.map((log, p) => windowOf(log, window.positions[p], first)));
        expect(page.totalCount).toBe(23);
        seen.push(...page.nodes.map((n) => n.id));
        if (!page.pageInfo.hasNextPage) break;
        window = decodeWindow(openAuditTrail('psn_1', { first, after: page.pageInfo.endCursor }).window);
      }
      const all = logs.flat().sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? 1 : -1)).map((e) => e.id);
      expect(seen).toEqual(all);
    }
  });

  it('refuses a cursor of another person or one that is not a window (sealing itself: kit/cursor.ts)', () => {
    const window = decodeWindow(firstWindow('psn_1', 2));
    const { endCursor } = mergeAuditWindows(window, logs.map((log) => windowOf(log, null, 2))).pageInfo;
    const refused = expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }) });
    expect(() => openAuditTrail('psn_other', { first: 2, after: endCursor })).toThrow(refused);
    expect(() => openAuditTrail('psn_1', { first: 2, after: 'bm90LWEtd2luZG93' })).toThrow(refused);
    expect(decodeWindow(openAuditTrail('psn_1', { first: 9, after: endCursor }).window)).toMatchObject({ personId: 'psn_1', first: 9 });
  });

  it('ends on an empty trail with no cursor', () => {
    const page = mergeAuditWindows(decodeWindow(firstWindow('psn_1', 5)), [null, undefined, windowOf([], null, 5), windowOf([], null, 5)]);
    expect(page).toEqual({ nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
