// Agefiph's business rules, without a server: ceilings of the January 2025 offer, the AETH amount,
// what a valid request and decision are, the life cycle, who reads requests, what the history says.
import { describe, expect, it } from 'vitest';
import type { Caller, Organisation, Role } from '../subgraphs/kit/caller.ts';
import { ErrorCode } from '../subgraphs/kit/errors.ts';
import { CATALOGUE, CATALOGUE_VERSION, catalogueItem, SMIC_HOURLY_CENTS_2025, type CatalogueItem } from '../subgraphs/agefiph/catalogue.ts';
import type { EntityManager } from '@mikro-orm/core';
import { aethAmountCents, canMove, ceilingCents, decide, historyOf, requestProblem } from '../subgraphs/agefiph/rules.ts';
import { AidRequest } from '../subgraphs/agefiph/entities.ts';
import { policy } from '../subgraphs/agefiph/policy.ts';
import { Perimeter } from '../subgraphs/kit/perimeter.ts';

function aid(code: string): CatalogueItem {
  const item = catalogueItem(code);
  if (!item) throw new Error(`no ${code} in the catalogue`);
  return item;
}

const AETH_RULE = aid('AETH').ceiling as Extract<CatalogueItem['ceiling'], { kind: 'SMIC_HOURS' }>;

function caller(organisation: Caller['organisation'], role: Caller['role'] = 'counsellor'): Caller {
  return { subject: 's', organisation, role, scopes: new Set(), national: false, territory: ['27'] };
}

describe('the catalogue of January 2025', () => {
  it('holds every aid and service of the offer once, all of version 2025-01', () => {
    const codes = CATALOGUE.map((i) => i.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(expect.arrayContaining([
      'ACCUEIL_INTEGRATION_EVOLUTION', 'EMBAUCHE_ALTERNANCE', 'ADAPTATION_SITUATIONS_TRAVAIL', 'AETH', 'CREATION_ENTREPRISE',
      'AIDES_HUMAINES', 'AIDES_TECHNIQUES', 'INCLU_PRO_FORMATION', 'EPAAST', 'PAS', 'EVALUATION_CAPACITES', 'EMPLOI_ACCOMPAGNE',
    ]));
    expect(CATALOGUE.every((i) => i.version === CATALOGUE_VERSION && CATALOGUE_VERSION === '2025-01')).toBe(true);
  });

  it('pays employers the hiring, integration, adaptation and AETH aids, and persons the business-creation aid', () => {
    for (const code of ['ACCUEIL_INTEGRATION_EVOLUTION', 'EMBAUCHE_ALTERNANCE', 'ADAPTATION_SITUATIONS_TRAVAIL', 'AETH']) expect(aid(code).beneficiaryType).toBe('PRIVATE_EMPLOYER');
    for (const code of ['CREATION_ENTREPRISE', 'AIDES_HUMAINES', 'AIDES_TECHNIQUES', 'INCLU_PRO_FORMATION', 'PAS']) expect(aid(code).beneficiaryType).toBe('PERSON');
  });

  it('caps the integration aid at €3,150, the apprenticeship hiring aid at €3,000 and business creation at €6,000', () => {
    expect(ceilingCents(aid('ACCUEIL_INTEGRATION_EVOLUTION').ceiling, {})).toBe(315_000);
    expect(ceilingCents(aid('EMBAUCHE_ALTERNANCE').ceiling, {})).toBe(300_000);
    expect(ceilingCents(aid('CREATION_ENTREPRISE').ceiling, {})).toBe(600_000);
  });

  it('offers PAS for the six kinds of disability, and no support type on other items', () => {
    expect(aid('PAS').supportTypes).toEqual(['VISUAL', 'HEARING', 'MOTOR', 'MENTAL', 'PSYCHIC', 'COGNITIVE']);
    expect(aid('EPAAST').supportTypes).toEqual([]);
  });

  it('finds nothing for a code or a version it does not have', () => {
    expect(catalogueItem('RQTH')).toBeUndefined();
    expect(catalogueItem('AETH', '2019-01')).toBeUndefined();
  });
});

describe('ceilings', () => {
  it('pays at most 90% of the disability-related extra cost, rounded down to the cent', () => {
    const rule = aid('ADAPTATION_SITUATIONS_TRAVAIL').ceiling;
    expect(ceilingCents(rule, { extraCostCents: 1_000_000 })).toBe(900_000);
    expect(ceilingCents(rule, { extraCostCents: 1_111 })).toBe(999);
  });

  it('computes the AETH from the 2025 hourly SMIC: €6,534.00 full time, €13,008.60 at the higher rate', () => {
    expect(SMIC_HOURLY_CENTS_2025).toBe(1188);
    expect(aethAmountCents(AETH_RULE, 'STANDARD', 100)).toBe(653_400);
    expect(aethAmountCents(AETH_RULE, 'HIGHER', 100)).toBe(1_300_860);
  });

  it('prorates the AETH to working time', () => {
    expect(aethAmountCents(AETH_RULE, 'STANDARD', 50)).toBe(326_700);
    expect(aethAmountCents(AETH_RULE, 'HIGHER', 80)).toBe(1_040_688);
    expect(ceilingCents(AETH_RULE, { aethRate: 'HIGHER', workTimePercent: 80 })).toBe(1_040_688);
    expect(ceilingCents(AETH_RULE, {})).toBe(653_400);
  });

  it('has no ceiling for aids assessed per need, and a ceiling of 0 for services', () => {
    expect(ceilingCents(aid('AIDES_TECHNIQUES').ceiling, {})).toBeNull();
    expect(ceilingCents(aid('EPAAST').ceiling, {})).toBe(0);
  });
});

describe('a request', () => {
  const person = { personId: 'psn_1' };
  const employer = { employerSiret: '73282932000074' };

  it('for a person aid without a person is not for this beneficiary', () => {
    expect(requestProblem(aid('CREATION_ENTREPRISE'), { ...employer, amountRequestedCents: 100_000 })?.code).toBe(ErrorCode.AID_NOT_FOR_BENEFICIARY);
  });

  it('for an employer aid without an employer is not for this beneficiary', () => {
    expect(requestProblem(aid('EMBAUCHE_ALTERNANCE'), { ...person, amountRequestedCents: 100_000 })?.code).toBe(ErrorCode.AID_NOT_FOR_BENEFICIARY);
  });

  it('for an employer aid may name the employee concerned, and a person aid the workplace', () => {
    expect(requestProblem(aid('ADAPTATION_SITUATIONS_TRAVAIL'), { ...person, ...employer, extraCostCents: 500_000, amountRequestedCents: 450_000 })).toBeNull();
    expect(requestProblem(aid('AIDES_HUMAINES'), { ...person, ...employer, amountRequestedCents: 120_000 })).toBeNull();
  });

  it('above the ceiling is refused, at the ceiling accepted', () => {
    expect(requestProblem(aid('ACCUEIL_INTEGRATION_EVOLUTION'), { ...employer, amountRequestedCents: 315_001 })?.code).toBe(ErrorCode.AMOUNT_ABOVE_CEILING);
    expect(requestProblem(aid('ACCUEIL_INTEGRATION_EVOLUTION'), { ...employer, amountRequestedCents: 315_000 })).toBeNull();
    expect(requestProblem(aid('AETH'), { ...employer, aethRate: 'HIGHER', amountRequestedCents: 1_300_861 })?.code).toBe(ErrorCode.AMOUNT_ABOVE_CEILING);
    expect(requestProblem(aid('AETH'), { ...employer, aethRate: 'HIGHER', amountRequestedCents: 1_300_860 })).toBeNull();
  });

  it('for the adaptation aid states the extra cost, and asks at most 90% of it', () => {
    expect(requestProblem(aid('ADAPTATION_SITUATIONS_TRAVAIL'), { ...employer, amountRequestedCents: 100_000 })).toMatchObject({ code: ErrorCode.INVALID_INPUT, field: 'extraCost' });
    expect(requestProblem(aid('ADAPTATION_SITUATIONS_TRAVAIL'), { ...employer, extraCostCents: 100_000, amountRequestedCents: 90_001 })?.code).toBe(ErrorCode.AMOUNT_ABOVE_CEILING);
  });

  it('gives an extra cost, an AETH rate or a support type only to the aid that uses it', () => {
    expect(requestProblem(aid('AIDES_TECHNIQUES'), { ...person, extraCostCents: 100, amountRequestedCents: 100 })?.field).toBe('extraCost');
    expect(requestProblem(aid('EMBAUCHE_ALTERNANCE'), { ...employer, aethRate: 'HIGHER', amountRequestedCents: 100 })?.field).toBe('aethRate');
    expect(requestProblem(aid('EPAAST'), { ...person, supportType: 'VISUAL', amountRequestedCents: 0 })?.field).toBe('supportType');
    expect(requestProblem(aid('AETH'), { ...employer, workTimePercent: 120, amountRequestedCents: 100 })?.field).toBe('workTimePercent');
  });

  it('for PAS names the kind of support', () => {
    expect(requestProblem(aid('PAS'), { ...person, amountRequestedCents: 0 })?.field).toBe('supportType');
    expect(requestProblem(aid('PAS'), { ...person, supportType: 'PSYCHIC', amountRequestedCents: 0 })).toBeNull();
  });

  it('for a service asks no money, and for an aid asks some', () => {
    expect(requestProblem(aid('EMPLOI_ACCOMPAGNE'), { ...person, amountRequestedCents: 1 })?.code).toBe(ErrorCode.AMOUNT_ABOVE_CEILING);
    expect(requestProblem(aid('AIDES_TECHNIQUES'), { ...person, amountRequestedCents: 0 })?.code).toBe(ErrorCode.INVALID_INPUT);
  });
});

describe('a decision', () => {
  const pending = { status: 'REQUESTED', amountRequestedCents: 200_000 };

  it('grants the amount requested when no amount is given', () => {
    expect(decide(aid('EMBAUCHE_ALTERNANCE'), pending, 'GRANTED', null)).toEqual({ status: 'GRANTED', amountGrantedCents: 200_000 });
  });

  it('may grant less than requested, never more', () => {
    expect(decide(aid('EMBAUCHE_ALTERNANCE'), pending, 'GRANTED', 150_000)).toEqual({ status: 'GRANTED', amountGrantedCents: 150_000 });
    expect(decide(aid('EMBAUCHE_ALTERNANCE'), pending, 'GRANTED', 200_001)).toMatchObject({ code: ErrorCode.AMOUNT_ABOVE_CEILING });
  });

  it("never grants above the aid's ceiling for the request, even for a request that asked more", () => {
    const adaptation = { status: 'REQUESTED', amountRequestedCents: 900_000, extraCostCents: 500_000 };
    expect(decide(aid('ADAPTATION_SITUATIONS_TRAVAIL'), adaptation, 'GRANTED', 450_001)).toMatchObject({ code: ErrorCode.AMOUNT_ABOVE_CEILING });
    expect(decide(aid('ADAPTATION_SITUATIONS_TRAVAIL'), adaptation, 'GRANTED', 450_000)).toEqual({ status: 'GRANTED', amountGrantedCents: 450_000 });
  });

  it('refuses without an amount', () => {
    expect(decide(aid('AIDES_TECHNIQUES'), pending, 'REFUSED', null)).toEqual({ status: 'REFUSED', amountGrantedCents: null });
    expect(decide(aid('AIDES_TECHNIQUES'), pending, 'REFUSED', 100)).toMatchObject({ code: ErrorCode.INVALID_INPUT });
  });

  it('is taken once: a granted, refused, paid or cancelled request is already decided', () => {
    for (const status of ['GRANTED', 'REFUSED', 'PAID', 'CANCELLED']) {
      expect(decide(aid('AIDES_TECHNIQUES'), { ...pending, status }, 'GRANTED', null)).toMatchObject({ code: ErrorCode.ALREADY_DECIDED });
    }
  });
});

describe('the life cycle of a request', () => {
  it('goes from requested to granted, refused or cancelled, then from granted to paid or cancelled', () => {
    expect(canMove('REQUESTED', 'GRANTED')).toBe(true);
    expect(canMove('REQUESTED', 'REFUSED')).toBe(true);
    expect(canMove('GRANTED', 'PAID')).toBe(true);
    expect(canMove('GRANTED', 'CANCELLED')).toBe(true);
  });

  it('never comes back, and is never paid before it is granted', () => {
    expect(canMove('REQUESTED', 'PAID')).toBe(false);
    expect(canMove('REFUSED', 'GRANTED')).toBe(false);
    expect(canMove('PAID', 'CANCELLED')).toBe(false);
    expect(canMove('GRANTED', 'REQUESTED')).toBe(false);
  });
});

describe('who reads aid requests (policy.ts)', () => {
  const reads = (organisation: Organisation, role: Role = 'counsellor') =>
    new Perimeter(policy, caller(organisation, role), {} as EntityManager).allowsRow(AidRequest, { personId: null, departement: '27' });

  it('Agefiph staff and the counsellors of France Travail and Cap emploi do', async () => {
    expect(await reads('agefiph', 'case-manager')).toBe(true);
    expect(await reads('france-travail')).toBe(true);
    expect(await reads('cap-emploi')).toBe(true);
  });

  it('FIPHFP, DGEFP, Cheops, analysts and data-protection officers do not', async () => {
    expect(await reads('fiphfp', 'case-manager')).toBe(false);
    expect(await reads('dgefp')).toBe(false);
    expect(await reads('cheops')).toBe(false);
    expect(await reads('agefiph', 'analyst')).toBe(false);
    expect(await reads('cap-emploi', 'dpo')).toBe(false);
  });
});

describe('the shared history', () => {
  const request = { id: 'agf-1', aidCode: 'PAS', catalogueVersion: '2025-01', status: 'GRANTED', requestedOn: '2025-03-01', decidedOn: '2025-03-20' };

  it('shows a request, then its decision', () => {
    expect(historyOf(request)).toEqual([
      { occurredOn: '2025-03-01', partner: 'AGEFIPH', kind: 'AID_REQUEST', summary: "Demande Agefiph : Prestations d'appuis spécifiques (PAS)", reference: 'agf-1' },
      { occurredOn: '2025-03-20', partner: 'AGEFIPH', kind: 'AID_DECISION', summary: "Décision Agefiph (accordée) : Prestations d'appuis spécifiques (PAS)", reference: 'agf-1' },
    ]);
    expect(historyOf({ ...request, status: 'REFUSED' })[1].summary).toContain('refusée');
    expect(historyOf({ ...request, status: 'REQUESTED', decidedOn: null })).toHaveLength(1);
  });

  it('never names the kind of disability a PAS supports', () => {
    const text = historyOf(request).map((e) => e.summary).join(' ').toLowerCase();
    for (const word of ['visuel', 'auditif', 'moteur', 'mental', 'psychique', 'cognitif', 'visual', 'psychic']) expect(text).not.toContain(word);
  });
});
