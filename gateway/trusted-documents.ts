// Trusted documents: in production the gateway executes only operations that partner apps have
// registered under schema/operations/<app>/*.graphql (one operation per file). Apps send the
// document's sha256 as an APQ hash (extensions.persistedQuery) or the exact registered text.
// Callers holding the `sandbox` scope may send free queries.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.ts';
import { SANDBOX_SCOPE } from './introspection.ts';

export interface TrustedDocument {
  readonly app: string;
  readonly file: string;
  readonly hash: string;
  readonly text: string;
}

export function documentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function loadTrustedDocuments(dir: string): Map<string, TrustedDocument> {
  const documents = new Map<string, TrustedDocument>();
  if (!existsSync(dir)) return documents;
  for (const app of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(path.join(dir, app.name)).filter((f) => f.endsWith('.graphql'))) {
      const text = readFileSync(path.join(dir, app.name, file), 'utf8');
      documents.set(documentHash(text), { app: app.name, file, hash: documentHash(text), text });
    }
  }
  return documents;
}

/** An APQ cache that already holds every registered document, so apps can send hashes only. */
export function registeredDocumentsCache(documents: ReadonlyMap<string, TrustedDocument>) {
  const cache = new InMemoryLRUCache<string>();
  for (const doc of documents.values()) void cache.set(`apq:${doc.hash}`, doc.text);
  return cache;
}

export function trustedDocumentsOnly(documents: ReadonlyMap<string, TrustedDocument>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ source, contextValue }) {
          if (contextValue.caller.scopes.has(SANDBOX_SCOPE)) return;
          if (!documents.has(documentHash(source))) {
            throw new GraphQLError('only registered operations are executed here; register it under schema/operations/<app>/', {
              extensions: { code: 'OPERATION_NOT_TRUSTED', http: { status: 403 } },
            });
          }
        },
      };
    },
  };
}
