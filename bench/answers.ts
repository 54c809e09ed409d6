// Before any timing, every gateway gets the same requests and must give the same answers as the
// reference (the baseline), key order aside: a gateway that answers less, more or otherwise would not
// be doing the same work. A difference is reported with the run, never hidden.
import type { LoadRequest } from './load.ts';

export async function post(url: string, request: LoadRequest): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: request.authorization },
    body: request.body,
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, text: await response.text() };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Where two JSON values first differ (object keys compared as sets), or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, at = '$'): string | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at}: ${a.length} items instead of ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      if (!(k in a)) return `${at}.${k} missing`;
      if (!(k in b)) return `${at}.${k} not in the reference`;
      const [x, y] = [(a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]];
      // Page cursors are sealed with a fresh IV on every answer (kit/cursor.ts): two answers of the
      // same page never carry the same bytes, so only their presence is compared.
      if (k === 'endCursor' && typeof x === 'string' && typeof y === 'string') continue;
      const d = firstDifference(x, y, `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${at}: ${JSON.stringify(a)?.slice(0, 80)} instead of ${JSON.stringify(b)?.slice(0, 80)}`;
}

export interface Answer {
  readonly status: number;
  readonly text: string;
}

/** `equal`, or what differs from the reference, with the first GraphQL error when there is one. */
export function compareAnswers(answer: Answer, reference: Answer): string {
  const a = parse(answer.text);
  const difference = answer.status !== reference.status ? `HTTP ${answer.status} instead of ${reference.status}` : firstDifference(a, parse(reference.text));
  if (!difference) return 'equal';
  const error = (a as { errors?: { message?: string }[] })?.errors?.[0]?.message;
  return `differs (${difference})${error ? `: "${error.slice(0, 160)}"` : ''}`;
}
