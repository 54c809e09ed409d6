// Wraps ApolloGateway so that every operation is authorised (gateway/authorization.ts) before
// it is planned: the plan cache is keyed by the authorised document, never by the text the client
// sent, so two callers with different rights never share a plan.
import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { print, type GraphQLSchema } from 'graphql';
import { accessPolicy, authorizeOperation, type AccessPolicy } from './authorization.ts';
import type { GatewayContext } from './context.ts';

export class AuthorizingGateway implements GatewayInterface {
  readonly #inner: ApolloGateway;
  #schema: GraphQLSchema | undefined;
  #policy: AccessPolicy = { fields: new Map(), types: new Map() };

  constructor(inner: ApolloGateway) {
    this.#inner = inner;
    inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      this.#schema = apiSchema;
      this.#policy = accessPolicy(coreSupergraphSdl);
    });
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.#inner.onSchemaLoadOrUpdate(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.#inner.load(options);
    return { executor: executor && this.#authorized(executor) };
  }

  stop(): Promise<void> {
    return this.#inner.stop();
  }

  #authorized(executor: GatewayExecutor): GatewayExecutor {
    return async (requestContext) => {
      const context = requestContext.context as GatewayContext;
      const schema = this.#schema ?? requestContext.schema;
      const result = authorizeOperation(schema, this.#policy, requestContext.document, requestContext.operationName, context.caller);
      if (result.errors.length === 0) return executor(requestContext);
      if (result.empty) return { data: null, errors: result.errors };
      const queryHash = createHash('sha256').update(print(result.document)).digest('hex');
      const response = await executor({ ...requestContext, document: result.document, queryHash } as typeof requestContext);
      return { ...response, errors: [...result.errors, ...(response.errors ?? [])] };
    };
  }
}
