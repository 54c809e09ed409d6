import { runSubgraph } from '../kit/server.ts';
import { entities } from './entities.ts';
import { policy } from './policy.ts';
import { resolvers } from './resolvers.ts';
import { seed } from './seed.ts';
import { indicators } from './statistics.ts';

await runSubgraph({ name: 'cap-emploi', entities, policy, resolvers, seed, indicators });
