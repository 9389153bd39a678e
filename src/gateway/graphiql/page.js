// Starts GraphiQL on the files the gateway serves itself (see assets.json); no CDN is involved.
// The page's settings come from the JSON element the server renders: the query to show first and,
// for `crm-gateway serve --demo` on a loopback address, the demo token's Authorization header.
(function () {
  "use strict";
  const root = document.getElementById("graphiql");
  if (typeof GraphiQL === "undefined" || typeof React === "undefined") {
    root.className = "gateway-graphiql-failed";
    root.textContent =
      "GraphiQL's files did not load: check the browser console and that /graphiql/ is reachable.";
    return;
  }
  const config = JSON.parse(document.getElementById("gateway-graphiql-config").textContent);

  // Query parameters keep a shared link's query, variables and headers (as Strawberry's page does).
  const parameters = Object.fromEntries(new URLSearchParams(window.location.search));
  function updateURL(data) {
    Object.assign(parameters, data);
    const search = new URLSearchParams(
      Object.entries(parameters).filter(([, value]) => Boolean(value)),
    ).toString();
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  const url = window.location.href.split("?")[0];
  const subscriptionUrl = new URL(url);
  subscriptionUrl.protocol = subscriptionUrl.protocol === "https:" ? "wss:" : "ws:";
  subscriptionUrl.hash = "";
  // Browsers cannot set WebSocket headers: GraphiQL sends the Headers pane in connection_init instead.
  const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl: subscriptionUrl.toString() });

  function GatewayGraphiQL() {
    const [query, setQuery] = React.useState(parameters.q || config.query);
    const [variables, setVariables] = React.useState(parameters.variables);
    return React.createElement(GraphiQL, {
      fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      query,
      variables,
      headers: parameters.headers || config.headers || undefined,
      onEditQuery: (value) => {
        setQuery(value);
        updateURL({ q: value });
      },
      onEditVariables: (value) => {
        setVariables(value);
        updateURL({ variables: value });
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(root).render(React.createElement(GatewayGraphiQL));
})();
