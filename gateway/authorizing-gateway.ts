// Wraps ApolloGateway so that every operation is authorised (gateway/authorization.ts) before
// it is planned: the plan cache is keyed by the authorised document, never by the text the client
// sent, so two callers with different rights never share a plan. A document is authorised once per
// scope set (authorisation reads nothing else of the caller) and supergraph, then reused.
import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { print, type GraphQLSchema } from 'graphql';
import type { Caller } from '../subgraphs/kit/caller.ts';
import { accessPolicy, authorizationKey, authorizeOperation, withoutSecurityFeatures, type AccessPolicy, type AuthorizedOperation } from './authorization.ts';
import type { GatewayContext } from './context.ts';
import { checkScalarInputs } from './scalars.ts';

/** Authorised documents kept per supergraph (distinct documents × scope sets). */
const AUTHORIZED_CACHE_ENTRIES = 2000;

interface Authorized {
  readonly result: AuthorizedOperation;
  /** Hash of the authorised document when it differs from the one sent (the plan cache key). */
  readonly queryHash: string | undefined;
}

/** Deny everything until a supergraph and its policy are loaded together. */
const DENY_ALL: AccessPolicy = { fields: new Map(), types: new Map([['Query', { authenticated: true, scopes: [] }], ['Mutation', { authenticated: true, scopes: [] }]]) };

export class AuthorizingGateway implements GatewayInterface {
  readonly #inner: ApolloGateway;
  /** The schema and the policy it was composed with, replaced together on every reload. */
  #current: { schema: GraphQLSchema; policy: AccessPolicy; authorized: Map<string, Authorized> } | undefined;
  /** Policies of prepared supergraphs, by the text handed to ApolloGateway. */
  readonly #policies = new Map<string, AccessPolicy>();

  constructor(inner: ApolloGateway) {
    this.#inner = inner;
    inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      checkScalarInputs(apiSchema);
      this.#current = { schema: apiSchema, policy: this.#policies.get(coreSupergraphSdl) ?? DENY_ALL, authorized: new Map() };
      for (const sdl of this.#policies.keys()) if (sdl !== coreSupergraphSdl) this.#policies.delete(sdl);
    });
  }

  /** Reads the access policy of a supergraph and returns the text ApolloGateway can load. */
  prepare(supergraphSdl: string): string {
    const loadable = withoutSecurityFeatures(supergraphSdl);
    this.#policies.set(loadable, accessPolicy(supergraphSdl));
    return loadable;
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

  /** The operation as `caller` may run it, authorised once per document, operation and scope set. */
  #authorize(requestContext: Parameters<GatewayExecutor>[0], caller: Caller): Authorized {
    const current = this.#current ?? { schema: requestContext.schema, policy: DENY_ALL, authorized: new Map<string, Authorized>() };
    const key = `${requestContext.queryHash}\n${requestContext.operationName ?? ''}\n${authorizationKey(caller)}`;
    const cached = current.authorized.get(key);
    if (cached) return cached;
    const result = authorizeOperation(current.schema, current.policy, requestContext.document, requestContext.operationName, caller);
    const queryHash = result.errors.length && !result.empty ? createHash('sha256').update(print(result.document)).digest('hex') : undefined;
    const authorized = { result, queryHash };
    current.authorized.set(key, authorized);
    if (current.authorized.size > AUTHORIZED_CACHE_ENTRIES) current.authorized.delete(current.authorized.keys().next().value!);
    return authorized;
  }

  #authorized(executor: GatewayExecutor): GatewayExecutor {
    return async (requestContext) => {
      const context = requestContext.context as GatewayContext;
      const { result, queryHash } = this.#authorize(requestContext, context.caller);
      if (result.errors.length === 0) return executor(requestContext);
      if (result.empty) return { data: null, errors: result.errors };
      const response = await executor({ ...requestContext, document: result.document, queryHash } as typeof requestContext);
      return { ...response, errors: [...result.errors, ...(response.errors ?? [])] };
    };
  }
}
