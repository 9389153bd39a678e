// Runs the GraphQL-over-HTTP spec's server audit (graphql-http's auditServer) against a running
// gateway and prints one JSON array of results on stdout: {id, name, status, reason, httpStatus}.
// Usage: node audit.mjs <graphql url>; the Authorization header comes from GATEWAY_AUTHORIZATION,
// since the gateway answers 401 to anonymous requests (the audit itself sends no credentials).
import { auditServer } from "graphql-http";

const url = process.argv[2];
const authorization = process.env.GATEWAY_AUTHORIZATION;
if (!url || !authorization) {
  console.error("usage: GATEWAY_AUTHORIZATION='Bearer ...' node audit.mjs http://host:port/graphql");
  process.exit(2);
}

function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", authorization);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithToken });
const report = results.map((result) => ({
  id: result.id,
  name: result.name,
  status: result.status,
  reason: result.reason ?? null,
  httpStatus: result.response?.status ?? null,
}));
process.stdout.write(JSON.stringify(report) + "\n");
