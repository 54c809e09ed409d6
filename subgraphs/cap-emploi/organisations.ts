// The Cap emploi network: 98 organisations federated by Cheops (seed: DOMAIN.md), built from the
// official list of départements (kit/territory.ts, 101 départements with a France Travail network).
//
// Simplification, documented because the real map differs in places: one organisation per
// département, except
//  - six pairs of neighbouring départements served by one organisation (Corse, Doubs – Territoire
//    de Belfort, Alpes du Sud, Limousin nord, Aveyron – Lozère, Aube – Haute-Marne): 101 − 6 = 95;
//  - Nord (3 organisations) and Pas-de-Calais (2), the two départements DOMAIN.md says have several:
//    95 + 3 = 98, the published count.
// Names of the multi-organisation départements are synthetic. Sites: a head office in the seat
// département, a branch in the other département of a merged pair, and a site inside a France
// Travail agency ("lieu unique d'accompagnement", since January 2021) per covered département.
import { departements, departement as departementByCode } from '../kit/territory.ts';
import { AGENCIES_PER_DEPARTEMENT, agencyCode, type WorldOptions } from '../kit/population.ts';
import type { CoverageRow, OrganisationRow, SiteRow } from './entities.ts';

export interface OrganisationDefinition {
  readonly id: string;
  readonly name: string;
  readonly seatDepartement: string;
  /** Départements served, seat first. */
  readonly departements: readonly string[];
  readonly regionName: string;
  /** Rank among the organisations of the seat département (1 for most). */
  readonly rank: number;
}

/** Départements served together with their seat's (seat → other). */
const MERGED: Readonly<Record<string, { readonly with: string; readonly name: string }>> = {
  '2A': { with: '2B', name: 'Cap emploi Corse' },
  '25': { with: '90', name: 'Cap emploi Doubs – Territoire de Belfort' },
  '05': { with: '04', name: 'Cap emploi Alpes du Sud' },
  '87': { with: '23', name: 'Cap emploi Haute-Vienne – Creuse' },
  '12': { with: '48', name: 'Cap emploi Aveyron – Lozère' },
  '10': { with: '52', name: 'Cap emploi Aube – Haute-Marne' },
};

/** Départements with several organisations, each covering part of the département (synthetic names). */
const SPLIT: Readonly<Record<string, readonly string[]>> = {
  '59': ['Cap emploi Nord – Métropole lilloise', 'Cap emploi Nord – Hainaut-Cambrésis', 'Cap emploi Nord – Flandre-Douaisis'],
  '62': ['Cap emploi Pas-de-Calais – Artois', 'Cap emploi Pas-de-Calais – Côte d\'Opale'],
};

const servedElsewhere = new Set(Object.values(MERGED).map((m) => m.with));

function build(): readonly OrganisationDefinition[] {
  const list: OrganisationDefinition[] = [];
  for (const d of departements) {
    if (servedElsewhere.has(d.code)) continue;
    const merged = MERGED[d.code];
    const names = SPLIT[d.code] ?? [merged?.name ?? `Cap emploi ${d.name}`];
    names.forEach((name, i) => {
      list.push(Object.freeze({
        id: `ce-${d.code}-${i + 1}`,
        name,
        seatDepartement: d.code,
        departements: Object.freeze(merged ? [d.code, merged.with] : [d.code]),
        regionName: d.regionName,
        rank: i + 1,
      }));
    });
  }
  return Object.freeze(list);
}

export const ORGANISATIONS: readonly OrganisationDefinition[] = build();

const byDepartement = new Map<string, OrganisationDefinition[]>();
for (const org of ORGANISATIONS) {
  for (const d of org.departements) byDepartement.set(d, [...(byDepartement.get(d) ?? []), org]);
}

export function organisationsCovering(departement: string): readonly OrganisationDefinition[] {
  return byDepartement.get(departement) ?? [];
}

/** The organisation serving someone of `departement`; `n` spreads people over several organisations. */
export function organisationFor(departement: string, n: number): OrganisationDefinition {
  const candidates = organisationsCovering(departement);
  if (candidates.length === 0) throw new Error(`no Cap emploi organisation covers département ${departement}`);
  return candidates[n % candidates.length];
}

/**
 * Counsellors per organisation, so that a counsellor's caseload holds tens of open accompaniments
 * (DOMAIN.md: tens to about 100): one counsellor for about 250 registered DEBOE of its territory,
 * i.e. ~2,000 counsellors at the national scale (the network reports 1,100+; ours carry a lighter load).
 */
export const PEOPLE_PER_COUNSELLOR = 250;

export function counsellorCount(world: WorldOptions, org: OrganisationDefinition): number {
  const share = org.departements.reduce((sum, d) => sum + 1 / organisationsCovering(d).length, 0);
  return Math.max(1, Math.round((world.scale * share) / departements.length / PEOPLE_PER_COUNSELLOR));
}

export function counsellorId(org: OrganisationDefinition, k: number): string {
  return `${org.id}-${String(k).padStart(3, '0')}`;
}

export function organisationRow(world: WorldOptions, org: OrganisationDefinition): OrganisationRow {
  return { id: org.id, name: org.name, seatDepartement: org.seatDepartement, regionName: org.regionName, counsellorCount: counsellorCount(world, org) };
}

export function coverageRows(org: OrganisationDefinition): CoverageRow[] {
  return org.departements.map((d) => ({ id: `${org.id}:${d}`, organisationId: org.id, departement: d }));
}

export function sitesOf(org: OrganisationDefinition): SiteRow[] {
  const sites: SiteRow[] = [];
  const add = (departement: string, name: string, kind: string, agency: string | null) => {
    sites.push({ id: `${org.id}-s${sites.length + 1}`, organisationId: org.id, departement, name, kind, franceTravailAgencyCode: agency });
  };
  add(org.seatDepartement, `${org.name} – siège`, 'HEAD_OFFICE', null);
  for (const d of org.departements.slice(1)) add(d, `${org.name} – antenne ${departementByCode(d)?.name ?? d}`, 'BRANCH', null);
  for (const d of org.departements) {
    // A France Travail agency hosts at most one Cap emploi organisation in the synthetic world.
    if (org.rank > AGENCIES_PER_DEPARTEMENT) continue;
    const depIndex = departements.findIndex((x) => x.code === d);
    add(d, `${org.name} – lieu unique, agence France Travail ${agencyCode(depIndex, org.rank)}`, 'FRANCE_TRAVAIL_AGENCY', agencyCode(depIndex, org.rank));
  }
  return sites;
}
