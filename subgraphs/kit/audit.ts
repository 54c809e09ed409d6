// The append-only audit log of a subgraph: who read or wrote which person's data, when, which
// fields, under which operation (GDPR art. 9 data; CNIL délibération 2021-122 on access logs).
// The code has no update or delete path; the database refuses them too (trigger in the schema).
import { randomUUID } from 'node:crypto';
import { defineEntity, p, type EntityManager } from '@mikro-orm/core';
import type { AuditWriter } from './audit-writer.ts';
import type { Caller } from './caller.ts';

export const AuditEntry = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  properties: {
    id: p.string().primary(),
    at: p.datetime(),
    subject: p.string(),
    organisation: p.string(),
    role: p.string(),
    operation: p.string().nullable(),
    action: p.string(),
    personId: p.string(),
    fields: p.text(),
  },
  // The DPO trail pages a person's entries by keyset on (at, id) (kit/audit-trail.ts).
  indexes: [{ properties: ['personId', 'at', 'id'] }],
});

export type AuditAction = 'READ' | 'WRITE';

/** One row of audit_entry, as appended. */
export interface AuditRow {
  readonly id: string;
  readonly at: Date;
  readonly subject: string;
  readonly organisation: string;
  readonly role: string;
  readonly operation: string | null;
  readonly action: AuditAction;
  readonly personId: string;
  readonly fields: string;
}

/** SQL that makes the audit table append-only, per dialect (run after the table exists). */
export const APPEND_ONLY_SQL = {
  sqlite: [
    `create trigger if not exists audit_entry_no_update before update on audit_entry begin select raise(abort, 'audit_entry is append-only'); end`,
    `create trigger if not exists audit_entry_no_delete before delete on audit_entry begin select raise(abort, 'audit_entry is append-only'); end`,
  ],
  postgresql: [
    `create or replace function audit_entry_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit_entry is append-only'; end $$`,
    `drop trigger if exists audit_entry_append_only on audit_entry`,
    `create trigger audit_entry_append_only before update or delete on audit_entry for each statement execute function audit_entry_append_only()`,
  ],
} as const;

/** The GraphQL view of an audit row (type AuditEntry of kit/common.graphql). */
export function auditEntryView(row: { id: string; at: Date | string; subject: string; organisation: string; role: string; operation?: string | null; action: string; fields: string }, partner: string) {
  return {
    id: row.id, at: new Date(row.at).toISOString(), partner, subject: row.subject, organisation: row.organisation, role: row.role,
    operation: row.operation ?? null, action: row.action, fields: row.fields ? row.fields.split(',') : [],
  };
}

/**
 * Collects the person reads of one request (recorded by the kit's guard, kit/guard.ts) and hands
 * them once, at the end of the request, to the subgraph's group-committing writer
 * (kit/audit-writer.ts): one entry per person read, listing every field read.
 */
export class AuditTrail {
  readonly #reads = new Map<string, Set<string>>();
  readonly #caller: Caller;
  readonly #operation: string | null;

  constructor(caller: Caller, operation: string | null) {
    this.#caller = caller;
    this.#operation = operation;
  }

  /** Records that `fields` of person `personId` were read (`field` as Type.field or a sub-selection). */
  read(personId: string, fields: Iterable<string>): void {
    let set = this.#reads.get(personId);
    if (!set) this.#reads.set(personId, (set = new Set()));
    for (const f of fields) set.add(f);
  }

  entry(action: AuditAction, personId: string, fields: Iterable<string>): AuditRow {
    return {
      id: randomUUID(), at: new Date(), subject: this.#caller.subject, organisation: this.#caller.organisation,
      role: this.#caller.role, operation: this.#operation, action, personId, fields: [...fields].sort().join(','),
    };
  }

  /** Appends a write entry inside the mutation's own transaction. */
  async written(em: EntityManager, personId: string, fields: Iterable<string>): Promise<void> {
    await em.insert(AuditEntry, this.entry('WRITE', personId, fields));
  }

  /**
   * Hands the read entries of the request to `writer`; called once, before the response is sent,
   * which waits for the returned promise: it resolves once the entries are durable and rejects
   * (AuditUnavailable) when none of them was kept.
   */
  flush(writer: Pick<AuditWriter, 'write'>): Promise<void> {
    if (this.#reads.size === 0) return Promise.resolve();
    const rows = [...this.#reads].map(([personId, fields]) => this.entry('READ', personId, fields));
    this.#reads.clear();
    return writer.write(rows);
  }
}
