// The official list of départements and régions (INSEE, via @etalab/decoupage-administratif).
// Only the 101 départements of metropolitan France and the overseas départements (DROM) have
// a France Travail agency network and a Cap emploi: overseas collectivities (COM) are left out.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Departement {
  readonly code: string;
  readonly name: string;
  readonly regionCode: string;
  readonly regionName: string;
}

interface RawDepartement { code: string; nom: string; region: string; zone: string }
interface RawRegion { code: string; nom: string }

const rawDepartements: RawDepartement[] = require('@etalab/decoupage-administratif/data/departements.json');
const regionNames = new Map(
  (require('@etalab/decoupage-administratif/data/regions.json') as RawRegion[]).map((r) => [r.code, r.nom]),
);

export const departements: readonly Departement[] = Object.freeze(
  rawDepartements
    .filter((d) => d.zone === 'metro' || d.zone === 'drom')
    .map((d) => Object.freeze({ code: d.code, name: d.nom, regionCode: d.region, regionName: regionNames.get(d.region) ?? '' })),
);

const byCode = new Map(departements.map((d) => [d.code, d]));

export function departement(code: string): Departement | undefined {
  return byCode.get(code);
}

export function isDepartementCode(code: string): boolean {
  return byCode.has(code);
}
