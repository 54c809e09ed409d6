// Introspection (and so Apollo Sandbox's schema view) is open in development; in production it is
// refused except to callers holding the `sandbox` scope (analysts allowed to explore).
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit } from 'graphql';
import type { GatewayContext } from './context.ts';

export const SANDBOX_SCOPE = 'sandbox';

export function introspectionGate(production: boolean): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          if (!production || contextValue.caller.scopes.has(SANDBOX_SCOPE)) return;
          let introspects = false;
          visit(document, {
            [Kind.FIELD](node) {
              if (node.name.value === '__schema' || node.name.value === '__type') introspects = true;
            },
          });
          if (introspects) {
            throw new GraphQLError('introspection is disabled in production for this role', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
          }
        },
      };
    },
  };
}
