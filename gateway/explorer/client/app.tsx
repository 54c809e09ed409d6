// /explorer: GraphiQL with its explorer plugin, served by the gateway itself (no CDN, no font from
// elsewhere). The bearer token goes in the headers editor; `npm start` hands one in the URL fragment
// (#token=…), which is read once and removed from the address bar. Headers are never persisted.
import { explorerPlugin } from '@graphiql/plugin-explorer';
import '@graphiql/plugin-explorer/style.css';
import { GraphiQL } from 'graphiql';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import 'graphiql/style.css';
import { createRoot } from 'react-dom/client';
import './explorer.css';

interface SavedOperation {
  readonly title: string;
  readonly query: string;
  readonly variables?: string;
}

/** The README's example queries, read at build time (gateway/pages/build.ts). */
declare const __EXAMPLES__: SavedOperation[];

const fragment = new URLSearchParams(location.hash.slice(1));
const token = fragment.get('token');
if (location.hash) history.replaceState(null, '', location.pathname);

const headers = JSON.stringify({ Authorization: `Bearer ${token ?? ''}` }, null, 2);
const endpoint = new URL('/graphql', location.href).href;

type Params = { query: string; variables?: unknown; operationName?: string | null };

/**
 * The headers of the editor, remembered: GraphiQL 4 fetches the schema at start before its headers
 * editor exists, with no headers, so that request (and any other without them) gets the last ones.
 */
let lastHeaders: Record<string, unknown> = JSON.parse(headers);

/**
 * GraphiQL may still send the operation name of the tab shown before (run just after switching
 * tabs): a name the document does not define is dropped, so that the document's only operation runs.
 */
function withOwnOperationName(params: Params): Params {
  if (!params.operationName) return params;
  let names: (string | undefined)[];
  try {
    names = parse(params.query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).map((d) => (d as OperationDefinitionNode).name?.value);
  } catch {
    return params;
  }
  if (names.includes(params.operationName) || names.length !== 1) return params;
  const { operationName: _stale, ...own } = params;
  return own;
}

/** Posts to the gateway with the headers of the editor; an empty bearer token is not sent at all. */
async function fetcher(params: Params, options?: { headers?: Record<string, unknown> }) {
  if (options?.headers) lastHeaders = options.headers;
  const sent: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  for (const [name, value] of Object.entries(lastHeaders)) {
    if (typeof value !== 'string') continue;
    if (name.toLowerCase() === 'authorization' && /^Bearer\s*$/i.test(value.trim())) continue;
    sent[name] = value;
  }
  const response = await fetch(endpoint, { method: 'POST', headers: sent, body: JSON.stringify(withOwnOperationName(params)) });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `the gateway answered ${response.status} ${response.statusText}` }] };
  }
}

const plugins = [explorerPlugin({ showAttribution: false })];
const examples = __EXAMPLES__.map((e) => ({ query: e.query, variables: e.variables, headers }));

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={plugins}
    defaultTabs={examples}
    defaultHeaders={headers}
    headers={headers}
    shouldPersistHeaders={false}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility="headers"
  >
    <GraphiQL.Logo>Passerelle</GraphiQL.Logo>
  </GraphiQL>,
);
