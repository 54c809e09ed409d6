// Every read or write of a person's data lands in the audit log of the partner that holds it, and a
// data-protection officer reads a person's trail across the four partners through the gateway.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { gql, tokenFor } from './client.ts';

const world = () => ({ seed: 'passerelle', scale: inject('seedScale') });

interface Entry { subject: string; partner: string; action: string; fields: string[]; operation: string | null; organisation: string; role: string }

async function trailOf(personId: string, subject: string): Promise<Entry[]> {
  const dpo = await tokenFor('france-travail', 'dpo');
  const res = await gql(dpo, 'query Trail($id: ID!) { person(id: $id) { auditTrail(first: 100) { nodes { at subject organisation role partner action fields operation } } } }', { id: personId });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data.person.auditTrail.nodes as Entry[]).filter((e) => e.subject === subject);
}

describe('the audit trail', () => {
  const subject = `audit-probe-${randomUUID()}`;
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('cap-emploi', 'case-manager', { subject, territory: ['*'] });
  });

  it('holds one entry per person read in a list, with the fields read and the operation name', async () => {
    const list = await gql(token, 'query CaseloadProbe { people(filter: { departement: "27" }, first: 5) { nodes { id firstName lastName } } }', {}, { operationName: 'CaseloadProbe' });
    const ids = list.body.data.people.nodes.map((p: { id: string }) => p.id) as string[];
    expect(ids.length).toBeGreaterThan(1);
    for (const id of ids) {
      const entries = await trailOf(id, subject);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ partner: 'FRANCE_TRAVAIL', action: 'READ', organisation: 'cap-emploi', role: 'case-manager', operation: 'CaseloadProbe' });
      expect(entries[0].fields.sort()).toEqual(['Person.firstName', 'Person.id', 'Person.lastName']);
    }
  });

  it('records the read in each partner that holds the data read', async () => {
    const p = Array.from({ length: world().scale }, (_, i) => personAt(world(), i)).find((x) => x.orientation === 'CAP_EMPLOI')!;
    const res = await gql(token, 'query FileProbe($id: ID!) { person(id: $id) { lastName capEmploiAccompaniments { nodes { kind status } } } }', { id: p.id }, { operationName: 'FileProbe' });
    expect(res.body.data.person.capEmploiAccompaniments.nodes.length).toBeGreaterThan(0);
    const entries = await trailOf(p.id, subject);
    expect(entries.map((e) => e.partner).sort()).toEqual(['CAP_EMPLOI', 'FRANCE_TRAVAIL']);
    expect(entries.find((e) => e.partner === 'CAP_EMPLOI')!.fields).toEqual(expect.arrayContaining([expect.stringMatching(/kind/), expect.stringMatching(/status/)]));
  });

  it('records a write with the fields written', async () => {
    const p = personAt(world(), 3);
    const res = await gql(token, 'mutation WriteProbe($id: ID!, $key: String!) { recordOrientation(input: { idempotencyKey: $key, personId: $id, orientedTo: CAP_EMPLOI, track: EMPLOYMENT, decidedOn: "2025-09-01" }) { id } }', { id: p.id, key: `audit-${randomUUID()}` }, { operationName: 'WriteProbe' });
    expect(res.body.errors).toBeUndefined();
    const writes = (await trailOf(p.id, subject)).filter((e) => e.action === 'WRITE');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ partner: 'FRANCE_TRAVAIL', operation: 'WriteProbe' });
    expect(writes[0].fields).toContain('Orientation.orientedTo');
  });

  it('gets no entry when every field asked was refused: the subgraph was never called', async () => {
    const p = personAt(world(), 4);
    const stranger = `audit-refused-${randomUUID()}`;
    const fiphfp = await tokenFor('fiphfp', 'case-manager', { subject: stranger }); // no health:read
    const res = await gql(fiphfp, 'query($id: ID!) { person(id: $id) { disabilityStatus { nature } } }', { id: p.id });
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await trailOf(p.id, stranger)).toEqual([]);
  });

  it('is refused to a Cap emploi case-manager (no audit:read), who cannot learn who else read a file', async () => {
    const res = await gql(token, `{ person(id: "${personAt(world(), 3).id}") { auditTrail { totalCount } } }`);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it.skipIf(inject('postgres'))('cannot be changed or erased, even by someone with the database file', () => {
    const db = new DatabaseSync(path.join(inject('dataDir'), 'pole-emploi.sqlite'));
    try {
      expect(() => db.exec("update audit_entry set subject = 'someone-else'")).toThrow(/append-only/);
      expect(() => db.exec('delete from audit_entry')).toThrow(/append-only/);
      const count = db.prepare('select count(*) as n from audit_entry where subject = ?').get(subject) as { n: number };
      expect(count.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});
