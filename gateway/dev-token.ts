// `npm run token -- --org cap-emploi --role counsellor --territory 27,58`: a development token signed
// by the local development issuer, with the scopes of the scope matrix for that organisation and role.
// The territory is `*` (national) by default for the roles allowed to be national, `27` (Eure) for a
// counsellor; `--territory '*'` asks for national, which the gateway refuses for a counsellor.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { NATIONAL, ORGANISATIONS, ROLES, territoryClaim, type Organisation, type Role } from '../subgraphs/kit/caller.ts';
import { ensureDevKeys, loadSigningKey } from './keys.ts';
import { NATIONAL_ROLES, scopesFor } from './scope-matrix.ts';

export interface DevTokenOptions {
  readonly organisation: Organisation;
  readonly role: Role;
  /** The territory claim as written: `['*']` or `'*'` for national, else département codes (default: see above). */
  readonly territory?: string | readonly string[];
  readonly subject?: string;
  /** Replaces the matrix's scopes (tests of refusals). */
  readonly scopes?: readonly string[];
  readonly ttlSeconds?: number;
}

/** The default territory of a development token: national where the role may be, else the Eure. */
export function defaultTerritory(role: Role): string[] {
  return NATIONAL_ROLES.has(role) ? [NATIONAL] : ['27'];
}

export async function mintDevToken(dataDir: string, options: DevTokenOptions): Promise<string> {
  const keys = await ensureDevKeys(dataDir);
  const key = await loadSigningKey(keys.issuer.privateKey);
  const territory = options.territory ?? defaultTerritory(options.role);
  return new SignJWT({
    org: options.organisation,
    role: options.role,
    territory: typeof territory === 'string' ? territory : [...territory],
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
  const { values } = parseArgs({ options: { org: { type: 'string', default: 'france-travail' }, role: { type: 'string', default: 'counsellor' }, territory: { type: 'string' }, subject: { type: 'string' } } });
  if (!ORGANISATIONS.includes(values.org as Organisation)) throw new Error(`--org must be one of ${ORGANISATIONS.join(', ')}`);
  if (!ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const role = values.role as Role;
  const territory = values.territory?.split(',') ?? defaultTerritory(role);
  // The gateway would refuse the token: say why now rather than with a 401 later.
  territoryClaim(territory, role);
  const token = await mintDevToken(path.resolve(process.env.DATA_DIR ?? '.data'), { organisation: values.org as Organisation, role, subject: values.subject, territory });
  process.stdout.write(`${token}\n`);
}
