// The national partnership conventions of the Cap emploi network (seed: DOMAIN.md, "The
// conventions"). Reference data, six rows: served from this module, not from a table.
// Dates: null when the sources give none. Where the sources give only years, the calendar year is
// assumed and `datesNote` says so.

export interface ConventionDefinition {
  readonly id: string;
  readonly title: string;
  /** Parties, by the name they had when signing (Pôle emploi before 2024). */
  readonly parties: readonly string[];
  readonly signedOn: string | null;
  readonly signedAt: string | null;
  readonly startsOn: string | null;
  readonly endsOn: string | null;
  readonly datesNote: string | null;
  readonly axes: readonly string[];
  readonly commitments: readonly string[];
}

const STATE = 'État (DGEFP)';

export const CONVENTIONS: readonly ConventionDefinition[] = Object.freeze([
  {
    id: 'rapprochement-2020',
    title: 'Framework convention for the rapprochement of Pôle emploi and Cap emploi',
    parties: [STATE, 'Agefiph', 'FIPHFP', 'Cheops', 'Pôle emploi'],
    signedOn: '2020-11-20',
    signedAt: 'Pôle emploi agency of Cergy-Pontoise',
    startsOn: '2020-11-20',
    // "Ends 31 October 2023 at the latest": the end date is a bound, not a known end.
    endsOn: '2023-10-31',
    datesNote: 'Ends on 31 October 2023 at the latest.',
    axes: [
      'Single accompaniment places (lieux uniques d\'accompagnement) inside Pôle emploi agencies from January 2021',
      'A joint offer of services to job seekers with a disability',
      'Shared skills development of the two networks\' counsellors',
    ],
    commitments: [
      'Extend to 233 agencies the experiment begun in January 2020 in 19 agencies',
      'Open single accompaniment places from January 2021',
      'Build a joint offer of services of Pôle emploi and Cap emploi',
      'Develop the skills of both networks together',
    ],
  },
  {
    id: 'agefiph-cheops-2022',
    title: 'Agefiph – Cheops convention 2022–2024',
    parties: ['Agefiph', 'Cheops'],
    signedOn: null,
    signedAt: null,
    startsOn: '2022-01-01',
    endsOn: '2024-12-31',
    datesNote: 'The sources give the years 2022–2024 (3 years); calendar years are assumed.',
    axes: [
      'A simpler, more reactive offer of services',
      'Better support to private employers',
      'Mutual knowledge and synergies',
      'Co-production on job retention and prevention, information systems and professionalisation',
    ],
    commitments: [
      'Simplify the Agefiph offer of services mobilised by Cap emploi counsellors',
      'Strengthen the support of Cap emploi to private employers',
      'Develop mutual knowledge and synergies between the two networks',
      'Co-produce on job retention and prevention of professional exclusion, information systems and professionalisation',
    ],
  },
  {
    id: 'multi-party-2023',
    title: 'Multi-party convention 2023–2027 of the Cap emploi network',
    parties: [STATE, 'Agefiph', 'FIPHFP', 'Pôle emploi', 'Cheops'],
    signedOn: null,
    signedAt: null,
    startsOn: '2023-01-01',
    // Five years from 2023 (2023–2027); one source says 2023–2028: the five-year reading is kept.
    endsOn: '2027-12-31',
    datesNote: 'Five years from 2023; one source says 2023–2028. Calendar years are assumed.',
    axes: [
      'Accompaniment toward and in employment',
      'Securing career paths',
      'The watch action (action de veille) after a job retention',
      'Career change (évolution professionnelle)',
    ],
    commitments: [
      'Accompany people with disabilities toward employment and in employment',
      'Secure career paths of workers with disabilities',
      'Run a proactive watch over risky situations after a job retention',
      'Support career-change projects of people in employment',
    ],
  },
  {
    id: 'fiphfp-cheops-2017',
    title: 'FIPHFP – Cheops convention',
    parties: ['FIPHFP', 'Cheops'],
    signedOn: '2017-05-17',
    signedAt: null,
    startsOn: '2017-05-17',
    endsOn: null,
    datesNote: 'The end date is not known.',
    axes: [
      'Services of Cap emploi to public employers',
      'Job retention in the three public services',
      'Professionalisation of Cap emploi counsellors',
    ],
    commitments: [
      'Serve public employers through Cap emploi (2018: 18,722 public employers served, 1,619 job retentions)',
      'Train Cap emploi counsellors on the public services (191 trained in 2018)',
    ],
  },
  {
    id: 'fagerh-cheops-2017',
    title: 'Fagerh – Cheops convention',
    parties: ['Fagerh', 'Cheops'],
    signedOn: '2017-05-18',
    signedAt: null,
    startsOn: '2017-05-18',
    endsOn: '2020-05-17',
    datesNote: 'Three years from signature; the end date is computed, not published.',
    axes: [
      'Access to training and qualification in vocational rehabilitation centres',
      'Supported employment',
    ],
    commitments: [
      'Ease the access of people accompanied by Cap emploi to training and qualification in Fagerh centres',
      'Develop supported employment together',
    ],
  },
  {
    id: 'unea-cheops-2017',
    title: 'UNEA – Cheops – State development contract of adapted enterprises',
    parties: ['UNEA', 'Cheops', STATE],
    signedOn: '2017-03-09',
    signedAt: null,
    startsOn: '2017-03-09',
    endsOn: null,
    datesNote: 'The end date is not known.',
    axes: [
      'Jobs in adapted enterprises (entreprises adaptées)',
      'The "CDD Tremplin" experiment (decree 2018-990 of 15 November 2018)',
    ],
    commitments: [
      'Develop jobs for people with disabilities in adapted enterprises',
      'Run the "CDD Tremplin" experiment toward ordinary employers',
    ],
  },
]
  .map((c) => Object.freeze({ ...c, parties: Object.freeze(c.parties), axes: Object.freeze(c.axes), commitments: Object.freeze(c.commitments) }))
  // Oldest first, as the list is served.
  .sort((a, b) => (a.startsOn < b.startsOn ? -1 : 1)));

const byId = new Map(CONVENTIONS.map((c) => [c.id, c]));

export function conventionById(id: string): ConventionDefinition | null {
  return byId.get(id) ?? null;
}
