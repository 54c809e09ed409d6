// `npm run token -- --org cap-emploi --role counsellor --territory 27`: a development token signed
// by the local development issuer, with the scopes of the scope matrix for that organisation and role.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { ORGANISATIONS, ROLES, type Organisation, type Role } from '../subgraphs/kit/caller.ts';
import { ensureDevKeys, loadSigningKey } from './keys.ts';
import { scopesFor } from './scope-matrix.ts';

export interface DevTokenOptions {
  readonly organisation: Organisation;
  readonly role: Role;
  readonly territory?: readonly string[];
  readonly subject?: string;
  /** Replaces the matrix's scopes (tests of refusals). */
  readonly scopes?: readonly string[];
  readonly ttlSeconds?: number;
}

export async function mintDevToken(dataDir: string, options: DevTokenOptions): Promise<string> {
  const keys = await ensureDevKeys(dataDir);
  const key = await loadSigningKey(keys.issuer.privateKey);
  return new SignJWT({
    org: options.organisation,
    role: options.role,
    territory: [...(options.territory ?? [])],
    scope: [...(options.scopes ?? scopesFor(options.organisation, options.role))].join(' '),
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer('passerelle-dev-issuer')
    .setAudience('passerelle')
    .setSubject(options.subject ?? `${options.organisation}:${options.role}:dev`)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 8 * 3600}s`)
    .sign(key.key);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { org: { type: 'string', default: 'france-travail' }, role: { type: 'string', default: 'counsellor' }, territory: { type: 'string', default: '' }, subject: { type: 'string' } } });
  if (!ORGANISATIONS.includes(values.org as Organisation)) throw new Error(`--org must be one of ${ORGANISATIONS.join(', ')}`);
  if (!ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const token = await mintDevToken(path.resolve(process.env.DATA_DIR ?? '.data'), {
    organisation: values.org as Organisation, role: values.role as Role, subject: values.subject,
    territory: values.territory ? values.territory.split(',') : [],
  });
  process.stdout.write(`${token}\n`);
}
