// Apollo's landing page at /: the embedded Apollo Sandbox, in production too, for the networks that
// reach Apollo's CDN (the page and Sandbox load from it; /explorer is the same without the internet).
// The page itself carries no data: queries still need a token, introspection and untrusted documents
// in production still need the `sandbox` scope (introspection.ts, trusted-documents.ts).
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';

export function landingPage(production: boolean): ApolloServerPlugin<any> {
  // No cookies: the gateway authenticates bearer tokens only.
  const options = { embed: true, includeCookies: false } as const;
  // The production typings only describe the embedded Explorer of a registered graph (graphRef);
  // without a graphRef, Apollo Server renders the embedded Sandbox, which is what analysts use.
  return production
    ? ApolloServerPluginLandingPageProductionDefault(options as unknown as Parameters<typeof ApolloServerPluginLandingPageProductionDefault>[0])
    : ApolloServerPluginLandingPageLocalDefault(options);
}
