import { describe, expect, it } from 'vitest';
import { departements } from '../subgraphs/kit/territory.ts';
import { fixedClock, todayIn } from '../subgraphs/kit/clock.ts';
import { people, WORLD_DATE } from '../subgraphs/kit/population.ts';
import { CONVENTIONS } from '../subgraphs/cap-emploi/conventions.ts';
import { ORGANISATIONS, organisationsCovering, sitesOf } from '../subgraphs/cap-emploi/organisations.ts';
import {
  checkStep, closureRefusal, frameworkConventionOn, isWatchEligible, NOTE_MAX_LENGTH, openingRefusal, stepRefusal,
  type AccompanimentKind, type StepKind,
} from '../subgraphs/cap-emploi/rules.ts';
import { casesOf } from '../subgraphs/cap-emploi/seed.ts';

const open = (kind: AccompanimentKind) => ({ kind, status: 'OPEN' as const, openedOn: '2024-03-01' });
const diagnosed = [{ kind: 'DIAGNOSTIC' as StepKind, occurredOn: '2024-03-05' }];
const TODAY = '2025-06-30';

describe('step transitions', () => {
  it('an accompaniment starts with its diagnostic, once', () => {
    expect(stepRefusal('TOWARD_EMPLOYMENT', [], 'DIAGNOSTIC')).toBeNull();
    expect(stepRefusal('TOWARD_EMPLOYMENT', [], 'INTERVIEW')).toMatch(/diagnostic/);
    expect(stepRefusal('JOB_RETENTION', ['DIAGNOSTIC'], 'DIAGNOSTIC')).toMatch(/first step/);
  });

  it('a watch follows a retention already diagnosed: it records no diagnostic and needs none', () => {
    expect(stepRefusal('WATCH', [], 'DIAGNOSTIC')).toMatch(/does not record DIAGNOSTIC/);
    expect(stepRefusal('WATCH', [], 'FOLLOW_UP')).toBeNull();
    expect(stepRefusal('WATCH', ['FOLLOW_UP'], 'PLACEMENT')).toMatch(/does not record PLACEMENT/);
  });

  it('a job retention records no placement, a career change may', () => {
    expect(stepRefusal('JOB_RETENTION', ['DIAGNOSTIC'], 'PLACEMENT')).not.toBeNull();
    expect(stepRefusal('CAREER_CHANGE', ['DIAGNOSTIC'], 'PLACEMENT')).toBeNull();
  });

  it('toward employment, the workstation study and the follow-up come after a placement', () => {
    expect(stepRefusal('TOWARD_EMPLOYMENT', ['DIAGNOSTIC', 'INTERVIEW'], 'FOLLOW_UP')).toMatch(/PLACEMENT/);
    expect(stepRefusal('TOWARD_EMPLOYMENT', ['DIAGNOSTIC', 'INTERVIEW'], 'WORKSTATION_STUDY')).toMatch(/PLACEMENT/);
    expect(stepRefusal('TOWARD_EMPLOYMENT', ['DIAGNOSTIC', 'PLACEMENT'], 'FOLLOW_UP')).toBeNull();
    expect(stepRefusal('JOB_RETENTION', ['DIAGNOSTIC'], 'WORKSTATION_STUDY')).toBeNull();
  });
});

describe('closure', () => {
  it('an outcome must belong to the kind of accompaniment', () => {
    expect(closureRefusal('JOB_RETENTION', ['DIAGNOSTIC'], 'JOB_RETAINED')).toBeNull();
    expect(closureRefusal('JOB_RETENTION', ['DIAGNOSTIC'], 'BUSINESS_CREATION')).toMatch(/does not close/);
    expect(closureRefusal('WATCH', ['FOLLOW_UP'], 'SITUATION_STABLE')).toBeNull();
    expect(closureRefusal('TOWARD_EMPLOYMENT', ['DIAGNOSTIC'], null)).toMatch(/needs an outcome/);
  });

  it('an employment outcome needs a recorded placement, a training outcome a training entry', () => {
    expect(closureRefusal('TOWARD_EMPLOYMENT', ['DIAGNOSTIC', 'INTERVIEW'], 'EMPLOYED_PERMANENT')).toMatch(/PLACEMENT/);
    expect(closureRefusal('TOWARD_EMPLOYMENT', ['DIAGNOSTIC', 'PLACEMENT'], 'EMPLOYED_PERMANENT')).toBeNull();
    expect(closureRefusal('CAREER_CHANGE', ['DIAGNOSTIC'], 'TRAINING')).toMatch(/TRAINING_ENTRY/);
    expect(closureRefusal('CAREER_CHANGE', ['DIAGNOSTIC', 'TRAINING_ENTRY'], 'TRAINING')).toBeNull();
  });
});

describe('checkStep', () => {
  it('accepts a valid interview after the diagnostic', () => {
    expect(checkStep(open('TOWARD_EMPLOYMENT'), diagnosed, { kind: 'INTERVIEW', occurredOn: '2024-04-01', note: 'ok' }, TODAY)).toBeNull();
  });

  it('refuses any step on a closed accompaniment with ACCOMPANIMENT_CLOSED', () => {
    const refusal = checkStep({ ...open('TOWARD_EMPLOYMENT'), status: 'CLOSED' }, diagnosed, { kind: 'INTERVIEW', occurredOn: '2024-04-01' }, TODAY);
    expect(refusal?.code).toBe('ACCOMPANIMENT_CLOSED');
  });

  it('refuses a date before the opening, before the last step or in the future', () => {
    const at = (occurredOn: string) => checkStep(open('TOWARD_EMPLOYMENT'), diagnosed, { kind: 'INTERVIEW', occurredOn }, TODAY);
    expect(at('2024-02-29')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredOn' });
    expect(at('2024-03-04')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredOn' });
    expect(at('2025-07-01')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredOn' });
    expect(at(TODAY)).toBeNull();
  });

  it(`refuses a note longer than ${NOTE_MAX_LENGTH} characters`, () => {
    const step = (note: string) => checkStep(open('TOWARD_EMPLOYMENT'), diagnosed, { kind: 'INTERVIEW', occurredOn: '2024-04-01', note }, TODAY);
    expect(step('x'.repeat(NOTE_MAX_LENGTH))).toBeNull();
    expect(step('x'.repeat(NOTE_MAX_LENGTH + 1))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
  });

  it('a closure needs an outcome, and only a closure carries one', () => {
    expect(checkStep(open('TOWARD_EMPLOYMENT'), diagnosed, { kind: 'CLOSURE', occurredOn: '2024-04-01' }, TODAY)).toMatchObject({ field: 'outcome' });
    expect(checkStep(open('TOWARD_EMPLOYMENT'), diagnosed, { kind: 'CLOSURE', occurredOn: '2024-04-01', outcome: 'ABANDONED' }, TODAY)).toBeNull();
    expect(checkStep(open('TOWARD_EMPLOYMENT'), diagnosed, { kind: 'INTERVIEW', occurredOn: '2024-04-01', outcome: 'ABANDONED' }, TODAY)).toMatchObject({ field: 'outcome' });
  });
});

describe('watch action (action de veille)', () => {
  const retention = { kind: 'JOB_RETENTION', status: 'CLOSED', outcome: 'JOB_RETAINED', closedOn: '2024-05-02' };

  it('follows a retention that kept the person in a job, closed since the 2023 convention', () => {
    expect(isWatchEligible(retention, false)).toBe(true);
    expect(isWatchEligible({ ...retention, outcome: 'JOB_RETAINED_OTHER_POST' }, false)).toBe(true);
  });

  it('does not follow an open, failed, pre-2023 or already watched retention, nor another kind', () => {
    expect(isWatchEligible({ ...retention, status: 'OPEN', closedOn: null, outcome: null }, false)).toBe(false);
    expect(isWatchEligible({ ...retention, outcome: 'NOT_RETAINED' }, false)).toBe(false);
    expect(isWatchEligible({ ...retention, closedOn: '2022-12-31' }, false)).toBe(false);
    expect(isWatchEligible(retention, true)).toBe(false);
    expect(isWatchEligible({ ...retention, kind: 'CAREER_CHANGE' }, false)).toBe(false);
  });
});

describe('opening an accompaniment', () => {
  const person = { personId: 'psn_1', departement: '33' };
  const context = { today: TODAY, alreadyOpen: false };
  const retention = { personId: 'psn_1', departement: '33', kind: 'JOB_RETENTION', status: 'CLOSED', outcome: 'JOB_RETAINED', closedOn: '2024-05-02' };
  const watch = { ...person, kind: 'WATCH' as const, openedOn: '2024-05-10', followsAccompanimentId: 'cea_r' };

  it('accepts a retention with its employer and restrictions, and a watch after an eligible retention', () => {
    expect(openingRefusal({ ...person, kind: 'JOB_RETENTION', openedOn: '2025-01-06', employerSiret: '73282932000074', medicalRestrictions: 'Pas de travail de nuit' }, context)).toBeNull();
    expect(openingRefusal(watch, { ...context, retention })).toBeNull();
  });

  it('an in-employment case needs its employer; toward employment has none; only retentions carry restrictions', () => {
    expect(openingRefusal({ ...person, kind: 'CAREER_CHANGE', openedOn: '2025-01-06' }, context)?.field).toBe('employerSiret');
    expect(openingRefusal({ ...person, kind: 'TOWARD_EMPLOYMENT', openedOn: '2025-01-06', employerSiret: '73282932000074' }, context)?.field).toBe('employerSiret');
    expect(openingRefusal({ ...person, kind: 'CAREER_CHANGE', openedOn: '2025-01-06', employerSiret: '73282932000074', medicalRestrictions: 'x' }, context)?.field).toBe('medicalRestrictions');
  });

  it('career changes and watches do not exist before the 2023 convention; nothing opens in the future', () => {
    expect(openingRefusal({ ...person, kind: 'CAREER_CHANGE', openedOn: '2022-12-31', employerSiret: '73282932000074' }, context)?.field).toBe('openedOn');
    expect(openingRefusal({ ...person, kind: 'TOWARD_EMPLOYMENT', openedOn: '2025-07-01' }, context)?.field).toBe('openedOn');
  });

  it('a person has one open accompaniment of each kind', () => {
    expect(openingRefusal({ ...person, kind: 'TOWARD_EMPLOYMENT', openedOn: '2025-01-06' }, { ...context, alreadyOpen: true })?.field).toBe('kind');
  });

  it('a watch needs a visible, eligible, unwatched retention of the same person, and opens after its closure', () => {
    expect(openingRefusal({ ...watch, followsAccompanimentId: null }, context)?.field).toBe('followsAccompanimentId');
    expect(openingRefusal(watch, { ...context, retention: null })?.code).toBe('UNKNOWN_ACCOMPANIMENT');
    expect(openingRefusal(watch, { ...context, retention, retentionWatched: true })?.field).toBe('followsAccompanimentId');
    expect(openingRefusal(watch, { ...context, retention: { ...retention, outcome: 'NOT_RETAINED' } })?.field).toBe('followsAccompanimentId');
    expect(openingRefusal({ ...watch, personId: 'psn_2' }, { ...context, retention })?.field).toBe('followsAccompanimentId');
    expect(openingRefusal({ ...watch, openedOn: '2024-05-01' }, { ...context, retention })?.field).toBe('openedOn');
    expect(openingRefusal({ ...watch, employerSiret: '73282932000074' }, { ...context, retention })?.field).toBe('employerSiret');
  });
});

describe('dates', () => {
  it('judges "today" in the département: it is already the next day in La Réunion at 22:00 UTC', () => {
    const now = fixedClock(new Date('2025-06-30T22:00:00Z'));
    expect(todayIn('75', now)).toBe('2025-07-01');
    expect(todayIn('974', now)).toBe('2025-07-01');
    expect(todayIn('971', now)).toBe('2025-06-30');
  });

  it('the framework convention follows the opening date', () => {
    expect(frameworkConventionOn('2019-06-01')).toBeNull();
    expect(frameworkConventionOn('2021-02-01')).toBe('rapprochement-2020');
    expect(frameworkConventionOn('2024-02-01')).toBe('multi-party-2023');
    const ids = new Set(CONVENTIONS.map((c) => c.id));
    expect(ids.has('rapprochement-2020') && ids.has('multi-party-2023')).toBe(true);
  });
});

describe('the network', () => {
  it('has 98 organisations, every département served, several in Nord and Pas-de-Calais', () => {
    expect(ORGANISATIONS).toHaveLength(98);
    expect(new Set(ORGANISATIONS.map((o) => o.id)).size).toBe(98);
    for (const d of departements) expect(organisationsCovering(d.code).length, d.code).toBeGreaterThan(0);
    expect(organisationsCovering('59')).toHaveLength(3);
    expect(organisationsCovering('62')).toHaveLength(2);
    expect(organisationsCovering('2B').map((o) => o.name)).toEqual(['Cap emploi Corse']);
  });

  it('every organisation has a site in each département it serves, most inside a France Travail agency', () => {
    for (const org of ORGANISATIONS) {
      const sites = sitesOf(org);
      for (const d of org.departements) expect(sites.some((s) => s.departement === d), org.id).toBe(true);
    }
    const lieuUnique = ORGANISATIONS.filter((o) => sitesOf(o).some((s) => s.kind === 'FRANCE_TRAVAIL_AGENCY'));
    expect(lieuUnique.length).toBe(97);
  });
});

describe('the seeded accompaniments', () => {
  const world = { seed: 'rules-test', scale: 3000 };
  const all = [...people(world)].flatMap((p) => casesOf(world, p).map((c) => ({ person: p, ...c })));

  it('follow the step rules, in date order, up to the date of the world', () => {
    expect(all.length).toBeGreaterThan(1000);
    for (const { accompaniment: a, steps } of all) {
      const previous: { kind: StepKind; occurredOn: string }[] = [];
      for (const s of steps) {
        const step = { kind: s.kind as StepKind, occurredOn: s.occurredOn, note: s.note, outcome: s.kind === 'CLOSURE' ? (a.outcome as never) : null };
        expect(checkStep({ kind: a.kind as AccompanimentKind, status: 'OPEN', openedOn: a.openedOn }, previous, step, WORLD_DATE), a.id).toBeNull();
        previous.push(step);
      }
      expect(a.status === 'CLOSED', a.id).toBe(steps.at(-1)?.kind === 'CLOSURE');
      if (a.status === 'CLOSED') expect(steps.at(-1)?.occurredOn).toBe(a.closedOn);
    }
  });

  it('match the people: toward employment for those oriented to Cap emploi, in employment with their employer', () => {
    for (const { person, accompaniment: a } of all) {
      expect(a.personId).toBe(person.id);
      expect(a.departement).toBe(person.departement);
      if (a.kind === 'TOWARD_EMPLOYMENT') {
        expect(person.orientation).toBe('CAP_EMPLOI');
        expect(a.openedOn).toBe(person.orientedOn);
        expect(a.employerSiret).toBeNull();
      } else {
        expect(a.employerSiret).toMatch(/^\d{14}$/);
      }
      if (a.kind === 'JOB_RETENTION') expect(a.medicalRestrictions).toMatch(/synthétique/);
      else expect(a.medicalRestrictions).toBeNull();
      if (a.kind === 'CAREER_CHANGE' || a.kind === 'WATCH') expect(a.openedOn >= '2023-01-01').toBe(true);
    }
    const watches = all.filter((c) => c.accompaniment.kind === 'WATCH');
    expect(watches.length).toBeGreaterThan(0);
    for (const w of watches) {
      const followed = all.find((c) => c.accompaniment.id === w.accompaniment.followsAccompanimentId)!.accompaniment;
      expect(isWatchEligible(followed, false)).toBe(true);
    }
  });
});
