// Idempotent mutations: a client sends its own key; a retry with the same key and the same input
// returns the first result and writes nothing; the same key with another input is refused.
// The record is written in the mutation's transaction, so a result exists iff its record does.
import { createHash } from 'node:crypto';
import { defineEntity, p, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { SubgraphContext } from './context.ts';
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

export interface IdempotentMutation<T> {
  /** The mutation's name: keys are scoped by organisation and mutation. */
  readonly name: string;
  readonly idempotencyKey: string;
  /** The whole input (key excluded or not: it is hashed as given). */
  readonly input: unknown;
  /** Validates and writes, inside the transaction; returns the id of the changed object. */
  perform(em: EntityManager): Promise<string>;
  /** Loads the changed object for the response (first call and retries alike). */
  load(em: EntityManager, id: string): Promise<T>;
}

export async function runIdempotent<T>(ctx: SubgraphContext, mutation: IdempotentMutation<T>): Promise<T> {
  if (!CLIENT_KEY.test(mutation.idempotencyKey)) {
    reject(ErrorCode.INVALID_INPUT, 'idempotencyKey must be 8 to 128 characters among letters, digits and . _ : -', 'idempotencyKey');
  }
  const key = `${ctx.caller.organisation}:${mutation.name}:${mutation.idempotencyKey}`;
  const hash = requestHash(mutation.input);
  const replay = async (): Promise<T | undefined> => {
    const previous = await ctx.em.fork().findOne(IdempotencyRecord, { key });
    if (!previous) return undefined;
    if (previous.requestHash !== hash) {
      reject(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this idempotencyKey was already used with a different input', 'idempotencyKey');
    }
    return mutation.load(ctx.em, previous.resultId);
  };
  const earlier = await replay();
  if (earlier !== undefined) return earlier;
  try {
    const id = await ctx.em.fork().transactional(async (em) => {
      const resultId = await mutation.perform(em);
      em.create(IdempotencyRecord, { key, requestHash: hash, resultId, createdAt: new Date() });
      return resultId;
    });
    return mutation.load(ctx.em.fork(), id);
  } catch (error) {
    // Two concurrent first tries: the loser's transaction rolled back; answer with the winner's result.
    if (error instanceof UniqueConstraintViolationException) {
      const winner = await replay();
      if (winner !== undefined) return winner;
    }
    throw error;
  }
}
