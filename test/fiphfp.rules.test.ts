// FIPHFP's rules, without a server: the 6% obligation, the contribution, aid ceilings, decisions,
// the committee that approves a convention.
import { describe, expect, it } from 'vitest';
import { CATALOGUE, catalogueAid } from '../subgraphs/fiphfp/catalogue.ts';
import {
  aidCeilingCents, approvingCommittee, committedCents, contribution, conventionEligible, declarationProblem, decisionProblem,
  directRateBasisPoints, formatRate, hourlySmicCents, missingBeneficiaries, missingCeilingBasis, requiredBeneficiaries, smicMultiple,
} from '../subgraphs/fiphfp/rules.ts';

const ceilingOf = (code: string) => catalogueAid(code)!.ceiling;

describe('the 6% obligation of a public employer', () => {
  it('requires 6% of the headcount rounded down: 47 FTE owe 2 beneficiaries, 50 FTE owe 3', () => {
    expect(requiredBeneficiaries(47)).toBe(2);
    expect(requiredBeneficiaries(50)).toBe(3);
    expect(requiredBeneficiaries(1000)).toBe(60);
  });

  it('gives the direct rate as exact basis points, rounded half up, and prints it with two decimals', () => {
    expect(directRateBasisPoints(561, 10_000)).toBe(561);
    expect(formatRate(directRateBasisPoints(561, 10_000))).toBe('5.61');
    // 1/3 = 33.333...% → 3333; 2/3 = 66.666...% → 6667 (half up)
    expect(directRateBasisPoints(1, 3)).toBe(3333);
    expect(directRateBasisPoints(2, 3)).toBe(6667);
    expect(formatRate(5)).toBe('0.05');
    expect(formatRate(600)).toBe('6.00');
  });

  it('counts missing beneficiaries, and none once the obligation is met', () => {
    expect(missingBeneficiaries(1000, 45)).toBe(15);
    expect(missingBeneficiaries(1000, 60)).toBe(0);
    expect(missingBeneficiaries(1000, 90)).toBe(0);
  });
});

describe('the contribution to FIPHFP', () => {
  it('uses the hourly SMIC of 1 January of the declaration year', () => {
    expect(hourlySmicCents(2021)).toBe(1025);
    expect(hourlySmicCents(2024)).toBe(1165);
    expect(hourlySmicCents(2006)).toBe(803);
    expect(() => hourlySmicCents(2005)).toThrow(RangeError);
  });

  it('owes 400, 500 or 600 hourly SMICs per missing beneficiary by headcount band', () => {
    expect(smicMultiple(20)).toBe(400);
    expect(smicMultiple(249)).toBe(400);
    expect(smicMultiple(250)).toBe(500);
    expect(smicMultiple(749)).toBe(500);
    expect(smicMultiple(750)).toBe(600);
  });

  it('is missing beneficiaries × unit amount minus deductible expenses: 15 missing at 1,000 FTE in 2024', () => {
    const c = contribution({ year: 2024, fteHeadcount: 1000, beneficiaries: 45, deductibleExpensesCents: 1_000_000 });
    expect(c.missingBeneficiaries).toBe(15);
    expect(c.unitAmountCents).toBe(600 * 1165);
    expect(c.grossCents).toBe(15 * 600 * 1165); // €104,850.00
    expect(c.contributionCents).toBe(15 * 600 * 1165 - 1_000_000);
    expect(c.rateBasisPoints).toBe(450);
  });

  it('is zero when the obligation is met, and never negative when expenses exceed it', () => {
    expect(contribution({ year: 2023, fteHeadcount: 100, beneficiaries: 6, deductibleExpensesCents: 0 }).contributionCents).toBe(0);
    expect(contribution({ year: 2023, fteHeadcount: 100, beneficiaries: 0, deductibleExpensesCents: 99_999_999 }).contributionCents).toBe(0);
    expect(contribution({ year: 2023, fteHeadcount: 100, beneficiaries: 0, deductibleExpensesCents: 0 }).contributionCents).toBe(6 * 400 * 1127);
  });

  it('refuses impossible declarations: more beneficiaries than staff, a year before 2006 or in the future, under 20 FTE', () => {
    expect(declarationProblem({ year: 2024, fteHeadcount: 100, beneficiaries: 101 }, 2026)?.field).toBe('beneficiaries');
    expect(declarationProblem({ year: 2005, fteHeadcount: 100, beneficiaries: 1 }, 2026)?.field).toBe('year');
    expect(declarationProblem({ year: 2027, fteHeadcount: 100, beneficiaries: 1 }, 2026)?.field).toBe('year');
    expect(declarationProblem({ year: 2024, fteHeadcount: 19, beneficiaries: 1 }, 2026)?.field).toBe('fteHeadcount');
    expect(declarationProblem({ year: 2024, fteHeadcount: 100, beneficiaries: -1 }, 2026)?.field).toBe('beneficiaries');
    expect(declarationProblem({ year: 2024, fteHeadcount: 100, beneficiaries: 100 }, 2026)).toBeNull();
    expect(declarationProblem({ year: 2006, fteHeadcount: 20, beneficiaries: 0 }, 2026)).toBeNull();
  });
});

describe('ceilings of FIPHFP aids', () => {
  it('caps a workstation adaptation at €10,000 per agent and year, less what the agent already holds', () => {
    expect(aidCeilingCents(ceilingOf('WORKSTATION_ADAPTATION'), {})).toBe(1_000_000);
    expect(aidCeilingCents(ceilingOf('WORKSTATION_ADAPTATION'), { alreadyCommittedCents: 600_000 })).toBe(400_000);
    expect(aidCeilingCents(ceilingOf('WORKSTATION_ADAPTATION'), { alreadyCommittedCents: 1_200_000 })).toBe(0);
  });

  it('caps an ergonomic study at €5,000 and interpreting at €55 an hour', () => {
    expect(aidCeilingCents(ceilingOf('ERGONOMIC_STUDY'), {})).toBe(500_000);
    expect(aidCeilingCents(ceilingOf('SIGN_LANGUAGE_INTERPRETING'), { hours: 12 })).toBe(12 * 5_500);
  });

  it('caps an apprenticeship at 80% of the loaded salary plus €10,000 of training', () => {
    expect(aidCeilingCents(ceilingOf('APPRENTICESHIP'), { loadedAnnualSalaryCents: 2_000_000 })).toBe(1_600_000 + 1_000_000);
  });

  it('has no fixed ceiling for technical and human aids and transport', () => {
    for (const code of ['TECHNICAL_AID', 'HUMAN_AID', 'TRANSPORT']) expect(aidCeilingCents(ceilingOf(code), {})).toBeNull();
  });

  it('asks for the hours of interpreting and the salary of an apprentice before computing a ceiling', () => {
    expect(missingCeilingBasis(ceilingOf('SIGN_LANGUAGE_INTERPRETING'), {})).toBe('hours');
    expect(missingCeilingBasis(ceilingOf('SIGN_LANGUAGE_INTERPRETING'), { hours: 0 })).toBe('hours');
    expect(missingCeilingBasis(ceilingOf('APPRENTICESHIP'), { loadedAnnualSalaryCents: null })).toBe('loadedAnnualSalary');
    expect(missingCeilingBasis(ceilingOf('WORKSTATION_ADAPTATION'), {})).toBeNull();
  });

  it('holds a pending request at its requested amount, a grant at its granted amount, a refusal at nothing', () => {
    expect(committedCents({ status: 'REQUESTED', amountRequestedCents: 500, amountGrantedCents: null })).toBe(500);
    expect(committedCents({ status: 'PAID', amountRequestedCents: 500, amountGrantedCents: 300 })).toBe(300);
    expect(committedCents({ status: 'REFUSED', amountRequestedCents: 500, amountGrantedCents: null })).toBe(0);
  });

  it('lists every aid family of the catalogue once', () => {
    const codes = CATALOGUE.map((a) => a.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(expect.arrayContaining(['WORKSTATION_ADAPTATION', 'ERGONOMIC_STUDY', 'SIGN_LANGUAGE_INTERPRETING', 'APPRENTICESHIP', 'TECHNICAL_AID', 'HUMAN_AID', 'TRANSPORT']));
  });
});

describe('decisions on aid requests', () => {
  it('grants a positive amount no larger than the request, refuses without an amount, decides only once', () => {
    expect(decisionProblem('REQUESTED', 'GRANTED', 1000, 800)).toBeNull();
    expect(decisionProblem('REQUESTED', 'GRANTED', 1000, 1001)?.code).toBe('BAD_AMOUNT');
    expect(decisionProblem('REQUESTED', 'GRANTED', 1000, null)?.code).toBe('BAD_AMOUNT');
    expect(decisionProblem('REQUESTED', 'REFUSED', 1000, null)).toBeNull();
    expect(decisionProblem('REQUESTED', 'REFUSED', 1000, 10)?.code).toBe('BAD_AMOUNT');
    expect(decisionProblem('GRANTED', 'REFUSED', 1000, null)?.code).toBe('ALREADY_DECIDED');
    expect(decisionProblem('PAID', 'GRANTED', 1000, 100)?.code).toBe('ALREADY_DECIDED');
  });
});

describe('conventions with large public employers', () => {
  it('are signed only above 650 FTE', () => {
    expect(conventionEligible(650)).toBe(false);
    expect(conventionEligible(651)).toBe(true);
  });

  it('go to the national committee from €1M, otherwise to the local committee of the region (Mayotte with La Réunion)', () => {
    expect(approvingCommittee(100_000_000, '11')).toEqual({ level: 'NATIONAL', region: null });
    expect(approvingCommittee(99_999_999, '11')).toEqual({ level: 'LOCAL', region: '11' });
    expect(approvingCommittee(5_000_000, '06')).toEqual({ level: 'LOCAL', region: '04' });
  });
});
