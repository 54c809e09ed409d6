// Every mutation of a subgraph: the partner's write rule, the person's perimeter, and idempotency —
// a client sends its own key; a retry with the same key and the same input returns the first result
// and writes nothing; the same key with another input is refused. The record is written in the
// mutation's transaction, so a result exists iff its record does.
import { createHash } from 'node:crypto';
import { defineEntity, p, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { hasScope } from './caller.ts';
import type { SubgraphContext } from './context.ts';
import { Rows } from './rows.ts';
import { ErrorCode, reject } from './errors.ts';

export const IdempotencyRecord = defineEntity({
  name: 'IdempotencyRecord',
  tableName: 'idempotency_record',
  properties: {
    key: p.string().primary(),
    requestHash: p.string(),
    resultId: p.string(),
    createdAt: p.datetime(),
  },
});

const CLIENT_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** JSON with sorted keys, so that the same input always hashes the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestHash(input: unknown): string {
  return createHash('sha256').update(stableJson(input)).digest('hex');
}

export interface Write<T> {
  /** The mutation's field name: its rule in the partner's policy says who may run it. */
  readonly mutation: string;
  readonly idempotencyKey: string;
  /** The whole input (hashed as given): the same key with another input is refused. */
  readonly input: unknown;
  /**
   * The person the write is about, when the input names one: it must be inside the caller's
   * perimeter, and an unknown person is refused exactly like a person outside (nothing revealed).
   */
  readonly personId?: string | null;
  /** Validates and writes inside the transaction (reads through `rows`); returns the id of the row written. */
  perform(em: EntityManager, rows: Rows): Promise<string>;
  /** Key property of the row written (default `id`). */
  readonly key?: string;
  /** Shapes the row for the response (default: the row itself). */
  view?(row: never): T;
}

function forbidden(message: string): never {
  return reject(ErrorCode.FORBIDDEN, message);
}

/**
 * Runs one mutation through the partner's policy: scope and organisation, the person's own
 * perimeter, the idempotency key (scoped to the caller, so another caller cannot replay it), the
 * write and its audit entry in one transaction, and the result read back through the perimeter —
 * a replay included, so a result that left the caller's perimeter is not handed back.
 */
export async function runWrite<T>(ctx: SubgraphContext, write: Write<T>): Promise<T> {
  const rule = ctx.policy.writes[write.mutation];
  if (!rule) forbidden(`${write.mutation} has no rule in the policy of ${ctx.policy.partner}`);
  if (!hasScope(ctx.caller, rule.scope)) forbidden(`this mutation needs the scope ${rule.scope}`);
  if (!rule.writers.includes(ctx.caller.organisation)) forbidden(`${ctx.caller.organisation} may not run ${write.mutation}`);
  if (!CLIENT_KEY.test(write.idempotencyKey)) {
    reject(ErrorCode.INVALID_INPUT, 'idempotencyKey must be 8 to 128 characters among letters, digits and . _ : -', 'idempotencyKey');
  }
  if (write.personId != null && !(await ctx.perimeter.includesPerson(write.personId))) {
    reject(ErrorCode.UNKNOWN_PERSON, 'no person with this id in your perimeter', 'personId');
  }
  const key = `${ctx.caller.organisation}:${ctx.caller.subject}:${write.mutation}:${write.idempotencyKey}`;
  const hash = requestHash(write.input);
  const keyProperty = write.key ?? 'id';
  const answer = async (id: string): Promise<T> => {
    const row = await ctx.rows.one(rule.row, { [keyProperty]: id });
    if (!row) forbidden('the result of this request is outside your perimeter');
    return write.view ? write.view(row as never) : (row as T);
  };
  const replay = async (): Promise<T | undefined> => {
    const previous = await ctx.em.fork().findOne(IdempotencyRecord, { key });
    if (!previous) return undefined;
    if (previous.requestHash !== hash) {
      reject(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this idempotencyKey was already used with a different input', 'idempotencyKey');
    }
    return answer(previous.resultId);
  };
  const earlier = await replay();
  if (earlier !== undefined) return earlier;
  try {
    const id = await ctx.em.fork().transactional(async (em) => {
      // The transaction's own reads of the directory: on SQLite a second connection would wait for this one.
      const perimeter = ctx.perimeter.within(em);
      const resultId = await write.perform(em, new Rows(em, perimeter));
      const written = await em.findOne(rule.row, { [keyProperty]: resultId });
      if (!written || !(await perimeter.allowsRow(rule.row, written as Record<string, unknown>))) {
        forbidden('this write would leave a row outside your perimeter');
      }
      const personId = perimeter.personOfRow(rule.row, written as Record<string, unknown>);
      if (personId) await ctx.audit.written(em, personId, typeof rule.fields === 'function' ? rule.fields(write.input) : rule.fields);
      em.create(IdempotencyRecord, { key, requestHash: hash, resultId, createdAt: new Date() });
      return resultId;
    });
    return answer(id);
  } catch (error) {
    // Two concurrent first tries: the loser's transaction rolled back; answer with the winner's result.
    if (error instanceof UniqueConstraintViolationException) {
      const winner = await replay();
      if (winner !== undefined) return winner;
    }
    throw error;
  }
}
