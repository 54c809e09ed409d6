// The crawler's oracle: plain SQL over the four partners' databases, never the code under test.
// - Where a person lives: France Travail's job seeker table (id, departement), the residence the
//   perimeter is defined on.
// - Whose an object is: every table with a `person_id` column maps its `id` (and any other `*_id`
//   column whose values each belong to one person, e.g. a training's financing id) to that person;
//   a row whose person_id is null (an employer-level aid request) belongs to nobody.
// - What was audited: the `audit_entry` tables (subject, operation, person_id, action).
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import pg from 'pg';
import { subgraphDatabaseUrl } from '../../../gateway/stack.ts';

/** The residence of a person, as the spec reads it. */
export const RESIDENCE = { subgraph: 'pole-emploi', table: 'job_seeker', id: 'id', departement: 'departement' } as const;
const PERSON_COLUMN = 'person_id';
const AUDIT_TABLE = 'audit_entry';

type Row = Record<string, unknown>;

interface Database {
  readonly name: string;
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export type DatabaseLocation = { readonly kind: 'sqlite'; readonly dataDir: string } | { readonly kind: 'postgresql'; readonly serverUrl: string; readonly prefix: string };

async function open(location: DatabaseLocation, subgraph: string): Promise<Database> {
  if (location.kind === 'sqlite') {
    const db = new DatabaseSync(path.join(location.dataDir, `${subgraph}.sqlite`), { readOnly: true });
    return {
      name: subgraph,
      all: async (sql, params = []) => db.prepare(sql).all(...(params as never[])) as Row[],
      close: async () => db.close(),
    };
  }
  const client = new pg.Client({ connectionString: subgraphDatabaseUrl(location.serverUrl, location.prefix, subgraph) });
  await client.connect();
  return {
    name: subgraph,
    all: async (sql, params = []) => {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as Row[];
    },
    close: () => client.end(),
  };
}

async function columnsOf(db: Database, kind: DatabaseLocation['kind']): Promise<Map<string, string[]>> {
  const rows = kind === 'sqlite'
    ? await db.all(`select m.name as table_name, p.name as column_name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table'`)
    : await db.all(`select table_name, column_name from information_schema.columns where table_schema = current_schema()`);
  const tables = new Map<string, string[]>();
  for (const r of rows) tables.set(String(r.table_name), [...(tables.get(String(r.table_name)) ?? []), String(r.column_name)]);
  return tables;
}

export interface AuditRead {
  readonly subgraph: string;
  readonly subject: string;
  readonly operation: string;
  readonly personId: string;
}

export class Oracle {
  readonly #databases: Database[];
  readonly #kind: DatabaseLocation['kind'];
  #residence = new Map<string, string>();
  /** Object id → person id (null: a row that concerns no person). */
  #owner = new Map<string, string | null>();
  #scores = new Map<string, { rows: number; elsewhere: number }>();

  private constructor(databases: Database[], kind: DatabaseLocation['kind']) {
    this.#databases = databases;
    this.#kind = kind;
  }

  static async open(location: DatabaseLocation, subgraphs: readonly string[]): Promise<Oracle> {
    const oracle = new Oracle(await Promise.all(subgraphs.map((s) => open(location, s))), location.kind);
    await oracle.refresh();
    return oracle;
  }

  /** Reads the tables again (after the crawler's own writes). */
  async refresh(): Promise<void> {
    const residence = new Map<string, string>();
    const owner = new Map<string, string | null>();
    const rowsIn: { departement: string; person: string | null }[] = [];
    for (const db of this.#databases) {
      const tables = await columnsOf(db, this.#kind);
      if (db.name === RESIDENCE.subgraph) {
        for (const r of await db.all(`select ${RESIDENCE.id} as id, ${RESIDENCE.departement} as d from ${RESIDENCE.table}`)) residence.set(String(r.id), String(r.d));
      }
      for (const [table, columns] of tables) {
        if (!columns.includes(PERSON_COLUMN)) continue;
        const keys = columns.filter((c) => c !== PERSON_COLUMN && (c === 'id' || c.endsWith('_id')));
        if (!keys.length) continue;
        const located = columns.includes(RESIDENCE.departement);
        const rows = await db.all(`select ${[...keys, PERSON_COLUMN, ...(located ? [RESIDENCE.departement] : [])].join(', ')} from ${table}`);
        if (located) rowsIn.push(...rows.map((r) => ({ departement: String(r[RESIDENCE.departement]), person: r[PERSON_COLUMN] === null ? null : String(r[PERSON_COLUMN]) })));
        for (const key of keys) {
          // A value of this column names one person's thing only if all its rows agree on the person.
          const seen = new Map<string, string | null>();
          const mixed = new Set<string>();
          for (const r of rows) {
            if (r[key] === null || r[key] === undefined) continue;
            const value = String(r[key]);
            const person = r[PERSON_COLUMN] === null ? null : String(r[PERSON_COLUMN]);
            if (seen.has(value) && seen.get(value) !== person) mixed.add(value);
            seen.set(value, person);
          }
          for (const [value, person] of seen) {
            if (mixed.has(value) || (person === null && key !== 'id')) continue;
            if (mixed.size > 0 && key !== 'id') continue;
            owner.set(value, person);
          }
        }
      }
    }
    this.#residence = residence;
    this.#owner = owner;
    const scores = new Map<string, { rows: number; elsewhere: number }>();
    for (const r of rowsIn) {
      const score = scores.get(r.departement) ?? { rows: 0, elsewhere: 0 };
      score.rows++;
      if (r.person && residence.get(r.person) !== r.departement) score.elsewhere++;
      scores.set(r.departement, score);
    }
    this.#scores = scores;
  }

  /**
   * Per département, the rows about people that partners file under it, and how many of those concern
   * someone who lives elsewhere (an agent working in another département, a stale copy…): where a
   * perimeter has the most chances to be crossed.
   */
  get departementScores(): ReadonlyMap<string, { rows: number; elsewhere: number }> {
    return this.#scores;
  }

  /** The département a person lives in, or undefined when no such person exists. */
  residenceOf(personId: string): string | undefined {
    return this.#residence.get(personId);
  }

  /** The person an object (by id) belongs to: a person id, null for a row about no person, undefined if no table has it. */
  ownerOf(id: string): string | null | undefined {
    return this.#owner.get(id);
  }

  get people(): ReadonlyMap<string, string> {
    return this.#residence;
  }

  /** READ entries written under operation names that start with `prefix`. */
  async auditedReads(prefix: string): Promise<AuditRead[]> {
    const reads: AuditRead[] = [];
    for (const db of this.#databases) {
      const rows = await db.all(`select subject, operation, ${PERSON_COLUMN} as person from ${AUDIT_TABLE} where action = 'READ' and operation like ?`, [`${prefix}%`]);
      for (const r of rows) reads.push({ subgraph: db.name, subject: String(r.subject), operation: String(r.operation), personId: String(r.person) });
    }
    return reads;
  }

  async close(): Promise<void> {
    await Promise.all(this.#databases.map((db) => db.close()));
  }
}
