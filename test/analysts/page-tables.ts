// The figures of /indicators as the page shows them, and as the API answers them: the browser tests
// of the page (browser-pages, sign-in) compare the two row by row.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { gql } from './client.ts';

/** The table under a chart as the page shows it: one entry per row, figures as displayed text. */
export async function shownTable(page: Page, section: string) {
  return page.locator(`#${section} tbody tr`).evaluateAll((rows: any[]) => rows.map((tr) => {
    const cells: any[] = [...tr.querySelectorAll('td')];
    return { period: tr.getAttribute('data-period'), area: tr.getAttribute('data-area'), value: cells[0].textContent!, yearBefore: cells[1].textContent!, change: cells[2].textContent! };
  }));
}

/** "1 234" → 1234; "secret (…)" and "—" stay text. */
export function number(text: string): number | string {
  const digits = text.replace(/[\s\u202f\u00a0]/g, '');
  return /^-?\d+$/.test(digits) ? Number(digits) : text;
}

const CELLS = 'period area value { count countSuppressedBecause } yearBefore { count countSuppressedBecause } countChange';

export async function apiCells(token: string, field: string, args: string, gatewayUrl?: string) {
  const res = await gql(token, `{ t: ${field}(${args}) { cells { ${CELLS} } } }`, {}, gatewayUrl);
  expect(res.errors).toBeUndefined();
  return res.data.t.cells as { period: string; area: string; value: { count: number | null; countSuppressedBecause: string | null }; yearBefore: { count: number | null; countSuppressedBecause: string | null } | null; countChange: number | null }[];
}

/** Every row of the page equals the API's cell; hidden ones are written as hidden, never as a number. */
export function expectSameFigures(shown: Awaited<ReturnType<typeof shownTable>>, api: Awaited<ReturnType<typeof apiCells>>): number {
  expect(shown.map((r) => `${r.period}/${r.area}`)).toEqual(api.map((c) => `${c.period}/${c.area}`));
  let hidden = 0;
  shown.forEach((row, i) => {
    const cell = api[i];
    for (const [text, value] of [[row.value, cell.value], [row.yearBefore, cell.yearBefore]] as const) {
      if (value?.countSuppressedBecause) {
        hidden += 1;
        expect(text, `${row.period} ${row.area}`).toMatch(/^secret \(/);
        expect(text).not.toMatch(/\d/);
      } else if (value) {
        expect(number(text), `${row.period} ${row.area}`).toBe(value.count);
      }
    }
    if (cell.countChange === null) expect(row.change).toBe('—');
    else expect(Number(row.change.replace(/[^\d,+-]/g, '').replace(',', '.'))).toBe(cell.countChange);
  });
  return hidden;
}
