// A gateway process of a test's own, on a supergraph file of that test, signed with the keys of the
// shared end-to-end stack (so the stack's subgraphs accept its calls and tokenFor's tokens work).
import path from 'node:path';
import { inject } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';

export function spawnTestGateway(name: string, supergraphPath: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const keys = path.join(inject('dataDir'), 'keys');
  return spawnService({
    name,
    entry: 'gateway/main.ts',
    env: {
      PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: inject('dataDir'), SUPERGRAPH_PATH: supergraphPath,
      ISSUER_JWKS_FILE: path.join(keys, 'dev-issuer.jwks.json'), GATEWAY_SIGNING_KEY_FILE: path.join(keys, 'gateway.private.jwk.json'),
      ...env,
    },
  });
}
