// FIPHFP's "catalogue des interventions": the aids it pays to public employers (State, territorial,
// hospital) for their agents with a disability. Amounts are those of DOMAIN.md; the workstation
// ceiling is FIPHFP's older one. FIPHFP never pays the whole extra cost of a disability: the
// ceilings below cap its share, the employer pays the rest.
// Amounts change between catalogue versions: a new version gets a new CATALOGUE_VERSION.

/** Label of the catalogue version this copy follows. */
export const CATALOGUE_VERSION = 'FIPHFP-catalogue-des-interventions (DOMAIN.md figures)';

/** How the ceiling of an aid is computed (see rules.ts `aidCeilingCents`). */
export type AidCeiling =
  /** A fixed amount per agent and calendar year, all requests of that agent for that aid together. */
  | { readonly kind: 'PER_AGENT_PER_YEAR'; readonly cents: number }
  /** A fixed amount per request. */
  | { readonly kind: 'PER_REQUEST'; readonly cents: number }
  /** An hourly rate times the hours asked for. */
  | { readonly kind: 'PER_HOUR'; readonly centsPerHour: number }
  /** A share of the apprentice's yearly loaded salary plus a yearly training amount. */
  | { readonly kind: 'SALARY_SHARE_PLUS_TRAINING'; readonly salarySharePercent: number; readonly trainingCentsPerYear: number }
  /** No published ceiling: assessed need by need by the committee. */
  | { readonly kind: 'PER_NEED' };

/** Whether an aid request names an agent (a Person of the graph). */
export type AgentRequirement = 'REQUIRED' | 'OPTIONAL';

export interface FiphfpAid {
  readonly code: string;
  /** Name of the aid in FIPHFP's catalogue. */
  readonly label: string;
  readonly description: string;
  readonly agent: AgentRequirement;
  readonly ceiling: AidCeiling;
}

const euros = (amount: number): number => amount * 100;

export const CATALOGUE: readonly FiphfpAid[] = Object.freeze([
  {
    code: 'WORKSTATION_ADAPTATION',
    label: 'Aménagement du poste de travail',
    description: 'Equipment and adaptation of an agent\'s workstation to compensate for a disability.',
    agent: 'REQUIRED',
    ceiling: { kind: 'PER_AGENT_PER_YEAR', cents: euros(10_000) },
  },
  {
    code: 'ERGONOMIC_STUDY',
    label: 'Étude ergonomique du poste de travail',
    description: 'A study by an ergonomist before a workstation is adapted, for an agent or before a recruitment.',
    agent: 'OPTIONAL',
    ceiling: { kind: 'PER_REQUEST', cents: euros(5_000) },
  },
  {
    code: 'SIGN_LANGUAGE_INTERPRETING',
    label: 'Interprétariat en langue des signes française',
    description: 'French sign-language interpreting for an agent or for a meeting, a training session, a recruitment interview.',
    agent: 'OPTIONAL',
    ceiling: { kind: 'PER_HOUR', centsPerHour: euros(55) },
  },
  {
    code: 'APPRENTICESHIP',
    label: 'Apprentissage : rémunération et formation de l\'apprenti',
    description: '80% of the apprentice\'s loaded salary, plus the apprentice\'s training up to €10,000 a year.',
    agent: 'OPTIONAL',
    ceiling: { kind: 'SALARY_SHARE_PLUS_TRAINING', salarySharePercent: 80, trainingCentsPerYear: euros(10_000) },
  },
  {
    code: 'TECHNICAL_AID',
    label: 'Aides techniques',
    description: 'Individual technical aids an agent needs at work (beyond what other schemes pay).',
    agent: 'REQUIRED',
    ceiling: { kind: 'PER_NEED' },
  },
  {
    code: 'HUMAN_AID',
    label: 'Aides humaines',
    description: 'A person who assists an agent in tasks the disability prevents.',
    agent: 'REQUIRED',
    ceiling: { kind: 'PER_NEED' },
  },
  {
    code: 'TRANSPORT',
    label: 'Transport adapté domicile-travail',
    description: 'Adapted transport between home and work when public transport cannot be used.',
    agent: 'REQUIRED',
    ceiling: { kind: 'PER_NEED' },
  },
] satisfies FiphfpAid[]);

const byCode = new Map(CATALOGUE.map((aid) => [aid.code, aid]));

export function catalogueAid(code: string): FiphfpAid | undefined {
  return byCode.get(code);
}
