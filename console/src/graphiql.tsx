import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/graphiql.css';
import './graphiql-page.css';

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
const fetcher = createGraphiQLFetcher({ url: '/graphql', subscriptionUrl: wsUrl });

const DEFAULT_QUERY = `# keygate GraphQL. Put your credential in the Headers tab below:
#   {"Authorization": "Bearer <token>"}
# Headers are kept in this tab's memory only.

{
  viewer { name isOperator provider role }
  tokenSummary { active expired revoked expiringSoon neverUsed }
}
`;

/** Tabs, history and headers stay in this page's memory: nothing of a session lands in browser storage. */
const memory = new Map<string, string>();
const storage = {
  getItem: (key: string) => memory.get(key) ?? null,
  setItem: (key: string, value: string) => void memory.set(key, value),
  removeItem: (key: string) => void memory.delete(key),
  clear: () => memory.clear(),
  get length() {
    return memory.size;
  },
};

/** GraphiQL served by keygate itself: no CDN; headers are not persisted to storage. */
createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={DEFAULT_QUERY}
    defaultHeaders={'{\n  "Authorization": "Bearer "\n}'}
    defaultEditorToolsVisibility="headers"
    isHeadersEditorEnabled
    shouldPersistHeaders={false}
    storage={storage}
  />,
);
