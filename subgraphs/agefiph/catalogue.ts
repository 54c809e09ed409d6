// The Agefiph catalogue of aids and services, offer of January 2025 (DOMAIN.md, "Funding").
// Amounts change from one offer to the next: every item carries the catalogue version it belongs
// to, and every aid request records the version it was filed under. A new offer is a new list
// here with a new version, never an edit of this one.
//
// The catalogue is reference data, the same for every caller: it lives in code, not in the database.

export const CATALOGUE_VERSION = '2025-01';

/**
 * Hourly gross SMIC in cents: €11.88 since 1 November 2024 (décret n° 2024-951 du 23 octobre 2024),
 * still in force throughout 2025 (no revaluation on 1 January 2025). The AETH is a multiple of it.
 */
export const SMIC_HOURLY_CENTS_2025 = 1188;

export type OfferKind = 'AID' | 'SERVICE';
export type AgefiphBeneficiary = 'PERSON' | 'PRIVATE_EMPLOYER';
/** The six kinds of specific support (PAS); which one a person gets reveals the nature of a disability. */
export type SupportType = 'VISUAL' | 'HEARING' | 'MOTOR' | 'MENTAL' | 'PSYCHIC' | 'COGNITIVE';
export const SUPPORT_TYPES: readonly SupportType[] = ['VISUAL', 'HEARING', 'MOTOR', 'MENTAL', 'PSYCHIC', 'COGNITIVE'];

/** How the most an aid can pay is worked out. */
export type CeilingRule =
  /** A flat maximum per request. */
  | { readonly kind: 'FIXED_AMOUNT'; readonly amountCents: number }
  /** A share of the disability-related extra cost the request states. */
  | { readonly kind: 'SHARE_OF_EXTRA_COST'; readonly sharePercent: number }
  /** A number of hours of SMIC per full-time post and year, at a standard or a higher rate (AETH). */
  | { readonly kind: 'SMIC_HOURS'; readonly hours: number; readonly higherRateHours: number; readonly smicHourlyCents: number }
  /** Assessed case by case on quotes: no ceiling fixed in advance. */
  | { readonly kind: 'PER_NEED' }
  /**
   * A service ordered by a counsellor and delivered by a provider Agefiph pays under its own
   * contracts: the beneficiary receives the service, not money, so a request is for €0.00.
   * (Agefiph does not publish a unit price per service; inventing one would be worse.)
   */
  | { readonly kind: 'SERVICE' };

export interface CatalogueItem {
  readonly code: string;
  readonly label: string;
  readonly kind: OfferKind;
  readonly beneficiaryType: AgefiphBeneficiary;
  readonly ceiling: CeilingRule;
  readonly conditions: string;
  readonly version: string;
  /** PAS only: the kinds of specific support the service covers. */
  readonly supportTypes: readonly SupportType[];
}

type ItemText = Omit<CatalogueItem, 'version' | 'supportTypes'> & { supportTypes?: readonly SupportType[] };

function item(text: ItemText): CatalogueItem {
  return Object.freeze({ ...text, version: CATALOGUE_VERSION, supportTypes: text.supportTypes ?? [] });
}

export const CATALOGUE: readonly CatalogueItem[] = Object.freeze([
  // Paid to the employer: it funds what the employer puts in place (tutoring, team awareness,
  // training) to welcome, integrate or develop the career of an employee with a disability.
  // The aid supports the person, but its beneficiary — who files and is paid — is the employer.
  item({
    code: 'ACCUEIL_INTEGRATION_EVOLUTION',
    label: "Aide à l'accueil, à l'intégration et à l'évolution professionnelle",
    kind: 'AID',
    beneficiaryType: 'PRIVATE_EMPLOYER',
    ceiling: { kind: 'FIXED_AMOUNT', amountCents: 315_000 },
    conditions: "Employeur privé qui accueille, intègre ou accompagne l'évolution professionnelle d'un salarié bénéficiaire de l'obligation d'emploi (BOETH) ; finance tutorat, sensibilisation du collectif de travail ou formation. Jusqu'à 3 150 €.",
  }),
  item({
    code: 'EMBAUCHE_ALTERNANCE',
    label: "Aide à l'embauche en contrat d'apprentissage ou de professionnalisation",
    kind: 'AID',
    beneficiaryType: 'PRIVATE_EMPLOYER',
    // €3,000 for contracts signed since 1 August 2024.
    ceiling: { kind: 'FIXED_AMOUNT', amountCents: 300_000 },
    conditions: "Employeur privé qui embauche une personne handicapée en contrat d'apprentissage ou de professionnalisation. Jusqu'à 3 000 € pour les contrats conclus depuis le 1er août 2024.",
  }),
  item({
    code: 'ADAPTATION_SITUATIONS_TRAVAIL',
    label: "Aide à l'adaptation des situations de travail",
    kind: 'AID',
    beneficiaryType: 'PRIVATE_EMPLOYER',
    // Agefiph never pays the whole extra cost: at most 90% of what the disability adds to the cost
    // of the workstation, the tools or the organisation of work, stated in the request.
    ceiling: { kind: 'SHARE_OF_EXTRA_COST', sharePercent: 90 },
    conditions: "Employeur privé qui adapte le poste, les outils ou l'organisation du travail d'un salarié handicapé, à l'embauche ou pour le maintien dans l'emploi ; le surcoût lié au handicap est établi sur devis, le cas échéant après une EPAAST. Jusqu'à 90 % du surcoût.",
  }),
  item({
    code: 'AETH',
    label: "Aide à l'emploi des travailleurs handicapés (AETH)",
    kind: 'AID',
    beneficiaryType: 'PRIVATE_EMPLOYER',
    // Per full-time post and year: 550 × the hourly SMIC at the standard rate, 1,095 × at the
    // higher rate; prorated to working time.
    ceiling: { kind: 'SMIC_HOURS', hours: 550, higherRateHours: 1095, smicHourlyCents: SMIC_HOURLY_CENTS_2025 },
    conditions: "Employeur privé d'un salarié pour qui l'Agefiph a reconnu la lourdeur du handicap (RLH, valable 3 ans). Par an et par poste à temps plein : 550 fois le Smic horaire au taux normal, 1 095 fois au taux majoré ; proratisée au temps de travail.",
  }),
  item({
    code: 'CREATION_ENTREPRISE',
    label: "Aide à la création d'entreprise",
    kind: 'AID',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'FIXED_AMOUNT', amountCents: 600_000 },
    conditions: "Personne handicapée qui crée ou reprend une entreprise, dont le projet a été validé et le plan de financement établi. Jusqu'à 6 000 €.",
  }),
  item({
    code: 'AIDES_HUMAINES',
    label: 'Aides humaines',
    kind: 'AID',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'PER_NEED' },
    conditions: "Personne handicapée qui a besoin de l'intervention d'un tiers pour compenser son handicap dans son parcours vers ou dans l'emploi (interprétariat, assistance). Montant établi selon le besoin.",
  }),
  item({
    code: 'AIDES_TECHNIQUES',
    label: 'Aides techniques',
    kind: 'AID',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'PER_NEED' },
    conditions: "Personne handicapée qui a besoin d'un matériel de compensation pour accéder à l'emploi, à une formation ou s'y maintenir, au-delà des prises en charge de droit commun. Montant établi sur devis, selon le besoin.",
  }),
  item({
    code: 'INCLU_PRO_FORMATION',
    label: "Inclu'Pro Formation",
    kind: 'AID',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'PER_NEED' },
    conditions: "Demandeur d'emploi handicapé dont le projet professionnel nécessite une remise à niveau ou une préqualification adaptée, prescrite par son conseiller. Montant selon le parcours de formation.",
  }),
  item({
    code: 'EPAAST',
    label: "Étude préalable à l'aménagement et à l'adaptation des situations de travail (EPAAST)",
    kind: 'SERVICE',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'SERVICE' },
    conditions: "Prescrite par un conseiller (Cap emploi, France Travail) avant d'adapter un poste de travail, quand la solution n'est pas évidente ; réalisée par un ergonome.",
  }),
  item({
    code: 'PAS',
    label: "Prestations d'appuis spécifiques (PAS)",
    kind: 'SERVICE',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'SERVICE' },
    conditions: "Prescrites par un conseiller pour éclairer le projet ou l'accompagnement d'une personne selon la nature de son handicap : visuel, auditif, moteur, mental, psychique, cognitif.",
    supportTypes: SUPPORT_TYPES,
  }),
  item({
    code: 'EVALUATION_CAPACITES',
    label: 'Évaluation des capacités professionnelles',
    kind: 'SERVICE',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'SERVICE' },
    conditions: "Prescrite par un conseiller pour évaluer les capacités d'une personne au regard d'un projet professionnel ou d'un poste, en situation de travail.",
  }),
  item({
    code: 'EMPLOI_ACCOMPAGNE',
    label: 'Emploi accompagné',
    kind: 'SERVICE',
    beneficiaryType: 'PERSON',
    ceiling: { kind: 'SERVICE' },
    conditions: "Accompagnement médico-social et professionnel durable de la personne et de son employeur (dispositif créé par la loi du 8 août 2016), prescrit par un conseiller.",
  }),
]);

const byVersionAndCode = new Map(CATALOGUE.map((i) => [`${i.version}:${i.code}`, i]));

/** The item with this code in a catalogue version (the one in force by default), or undefined. */
export function catalogueItem(code: string, version: string = CATALOGUE_VERSION): CatalogueItem | undefined {
  return byVersionAndCode.get(`${version}:${code}`);
}
