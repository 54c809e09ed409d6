import { describe, expect, it } from 'vitest';
import { checkOrientation, mergeFundings, mergeHistory, rqthValid, searchKey } from '../subgraphs/pole-emploi/rules.ts';

describe('France Travail rules', () => {
  it('merges the four partners\' histories newest first', () => {
    const merged = mergeHistory(
      [{ occurredOn: '2024-01-10', partner: 'FRANCE_TRAVAIL', kind: 'REGISTRATION', summary: '', reference: null }],
      [{ occurredOn: '2024-03-01', partner: 'CAP_EMPLOI', kind: 'ACCOMPANIMENT_OPENED', summary: '', reference: 'a' }],
      undefined,
      [{ occurredOn: '2023-12-31', partner: 'FIPHFP', kind: 'AID_REQUESTED', summary: '', reference: 'f' }],
    );
    expect(merged.map((e) => e.occurredOn)).toEqual(['2024-03-01', '2024-01-10', '2023-12-31']);
  });
  it('orders fundings by request date, newest first', () => {
    expect(mergeFundings([{ id: 'a', typename: 'T', requestedOn: '2022-01-01' }], [{ id: 'b', typename: 'A', requestedOn: '2024-01-01' }]).map((f) => f.id)).toEqual(['b', 'a']);
  });
  it('treats an RQTH without end date as permanent and an expired one as invalid', () => {
    expect(rqthValid('2020-05-01', null, '2025-12-31')).toBe(true);
    expect(rqthValid('2015-05-01', '2020-05-01', '2025-12-31')).toBe(false);
    expect(rqthValid(null, null, '2025-12-31')).toBe(false);
  });
  it('refuses an orientation in the future, before registration, or before its diagnostic', () => {
    expect(() => checkOrientation({ decidedOn: '2030-01-01' }, '2020-01-01', '2025-06-01')).toThrow(/future/);
    expect(() => checkOrientation({ decidedOn: '2019-01-01' }, '2020-01-01', '2025-06-01')).toThrow(/before the registration/);
    expect(() => checkOrientation({ decidedOn: '2024-01-01', jointDiagnosticOn: '2024-02-01' }, '2020-01-01', '2025-06-01')).toThrow(/diagnostic/);
    expect(() => checkOrientation({ decidedOn: '2024-01-01', disabilityImpact: 'HIGH' }, '2020-01-01', '2025-06-01')).toThrow(/jointDiagnosticOn/);
    expect(() => checkOrientation({ decidedOn: '2024-01-01', jointDiagnosticOn: '2023-12-20', disabilityImpact: 'HIGH' }, '2020-01-01', '2025-06-01')).not.toThrow();
  });
  it('finds names whatever their accents and case', () => {
    expect(searchKey('Lefèvre')).toBe(searchKey('LEFEVRE'));
  });
});
