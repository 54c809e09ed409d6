// Workload (2): what partner apps ask of our own graph, as operations registered for the run
// (bench/passerelle/operations/, see bench/registration.ts) sent with real tokens of the
// development issuer: a counsellor's page of 50 people (and of 5, to see whether SQL grows with the
// page), one person's full file, an employer's file, an analyst's aggregate, and a recorded
// orientation with a key unique to each request. Counsellors carry their own département and their
// id as subject; the people and employers are chosen from the seeded world, where the files are full.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { authenticator } from '../../gateway/authentication.ts';
import { mintDevToken } from '../../gateway/dev-token.ts';
import { loadGatewayConfig } from '../../gateway/config.ts';
import type { LoadRequest } from '../load.ts';
import { ROOT } from '../processes.ts';
import type { Caseload } from './caseloads.ts';

/** The documents of this workload, one operation each, under bench/passerelle/operations/<name>.graphql. */
export const DOCUMENTS = ['BenchCounsellorPage', 'BenchPersonFile', 'BenchEmployerFile', 'BenchJobSeekersByDepartement', 'BenchRecordOrientation'] as const;

export interface Operation {
  readonly id: string;
  readonly title: string;
  readonly operationName: string;
  readonly requests: readonly LoadRequest[];
}

export function documentOf(operationName: string): string {
  return readFileSync(path.join(ROOT, 'bench', 'passerelle', 'operations', `${operationName}.graphql`), 'utf8');
}

export function graphqlBody(operationName: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ query: documentOf(operationName), operationName, variables });
}

async function counsellorToken(dataDir: string, caseload: Caseload): Promise<string> {
  const token = await mintDevToken(dataDir, { organisation: 'france-travail', role: 'counsellor', territory: [caseload.departement], subject: caseload.counsellorId });
  return `Bearer ${token}`;
}

/**
 * A national analyst's token. The claims contract writes national as the territory `*`; gateways from
 * before it wrote it as an empty list: the first form the gateway's own reader accepts is used.
 */
async function analystToken(dataDir: string): Promise<string> {
  const authenticate = authenticator(loadGatewayConfig({ DATA_DIR: dataDir, ISSUER_JWKS_FILE: path.join(dataDir, 'keys', 'dev-issuer.jwks.json') }, []));
  for (const territory of [['*'], []]) {
    const header = `Bearer ${await mintDevToken(dataDir, { organisation: 'dgefp', role: 'analyst', territory, subject: 'dgefp:analyst:bench' })}`;
    try {
      await authenticate(header);
      return header;
    } catch {
      // Not this form.
    }
  }
  throw new Error('the gateway accepts no national analyst token from the development issuer');
}

/** Reads through a gateway without limits (the baseline) to find full files in the seeded world. */
export type Discover = (authorization: string, body: string) => Promise<any>;

export interface Choices {
  /** Counsellors whose page is read (10), and one more who records orientations. */
  readonly pages: readonly Caseload[];
  readonly recorder: Caseload;
}

export async function passerelleOperations(dataDir: string, choices: Choices, discover: Discover): Promise<Operation[]> {
  const pageTokens = await Promise.all(choices.pages.map((c) => counsellorToken(dataDir, c)));
  const pages = (first: number) => choices.pages.map((c, i) => ({ authorization: pageTokens[i], body: graphqlBody('BenchCounsellorPage', { counsellorId: c.counsellorId, first }) }));

  // The person with the longest history in each page's caseload: the fullest files.
  const people = await Promise.all(choices.pages.map(async (c, i) => {
    const answer = await discover(pageTokens[i], JSON.stringify({
      query: 'query BenchPickPeople($c: ID!) { caseload(counsellorId: $c, first: 100) { nodes { id history(first: 1) { totalCount } } } }',
      variables: { c: c.counsellorId },
    }));
    const nodes = (answer?.data?.caseload?.nodes ?? []) as { id: string; history: { totalCount: number } }[];
    if (!nodes.length) throw new Error(`no caseload for ${c.counsellorId}: ${JSON.stringify(answer).slice(0, 300)}`);
    return nodes.reduce((best, n) => (n.history.totalCount > best.history.totalCount ? n : best)).id;
  }));

  // The employers of the first page's département seen by the most partners.
  const employersAnswer = await discover(pageTokens[0], JSON.stringify({
    query: 'query BenchPickEmployers($d: String) { employers(filter: { departement: $d }, first: 100) { nodes { siret jobOffers(first: 1) { totalCount } fundings(first: 1) { totalCount } capEmploiServices(first: 1) { totalCount } } } }',
    variables: { d: choices.pages[0].departement },
  }));
  type Found = { siret: string; jobOffers: { totalCount: number }; fundings: { totalCount: number }; capEmploiServices: { totalCount: number } };
  const weight = (e: Found) => e.jobOffers.totalCount + e.fundings.totalCount + e.capEmploiServices.totalCount;
  const employers = ((employersAnswer?.data?.employers?.nodes ?? []) as Found[]).sort((a, b) => weight(b) - weight(a) || a.siret.localeCompare(b.siret)).slice(0, 5).map((e) => e.siret);
  if (!employers.length) throw new Error(`no employer found: ${JSON.stringify(employersAnswer).slice(0, 300)}`);

  const recorderToken = await counsellorToken(dataDir, choices.recorder);
  return [
    { ...COUNSELLOR_PAGE, requests: pages(50) },
    { id: 'counsellor-page-5', title: 'the same page of 5 people', operationName: 'BenchCounsellorPage', requests: pages(5) },
    {
      id: 'person-file', title: "one person's full file", operationName: 'BenchPersonFile',
      requests: people.map((id, i) => ({ authorization: pageTokens[i], body: graphqlBody('BenchPersonFile', { id }) })),
    },
    {
      id: 'employer-file', title: "an employer's file", operationName: 'BenchEmployerFile',
      requests: employers.map((siret) => ({ authorization: pageTokens[0], body: graphqlBody('BenchEmployerFile', { siret }) })),
    },
    {
      id: 'analyst-aggregate', title: "an analyst's aggregate (job seekers by département)", operationName: 'BenchJobSeekersByDepartement',
      requests: [{ authorization: await analystToken(dataDir), body: graphqlBody('BenchJobSeekersByDepartement', { from: '2024-01-01', to: '2024-12-31' }) }],
    },
    {
      id: 'record-orientation', title: 'an orientation recorded with its idempotency key', operationName: 'BenchRecordOrientation',
      requests: choices.recorder.people.slice(0, 10).map((personId) => ({
        authorization: recorderToken,
        body: graphqlBody('BenchRecordOrientation', { input: { idempotencyKey: '@@KEY@@', personId, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2025-12-15' } }),
      })),
    },
  ];
}

/** The operation counsellors open first: their page of 50 people. */
export const COUNSELLOR_PAGE = { id: 'counsellor-page', title: "a counsellor's page of 50 people", operationName: 'BenchCounsellorPage' } as const;

/** The page of 50 of each caseload, each with its own counsellor's token (the national scale, the cluster part). */
export async function counsellorPages(dataDir: string, caseloads: readonly Caseload[]): Promise<Operation> {
  const requests = await Promise.all(caseloads.map(async (c) => ({ authorization: await counsellorToken(dataDir, c), body: graphqlBody('BenchCounsellorPage', { counsellorId: c.counsellorId, first: 50 }) })));
  return { ...COUNSELLOR_PAGE, requests };
}
