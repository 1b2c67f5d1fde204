/**
 * The HTTP endpoints the frontend calls, in one table.
 *
 * `scripts/check-contract.mjs` reads this file (it must stay free of imports) and checks each
 * row against the backend's OpenAPI document: the path and method exist, and the property names
 * of `request` / `response` (interfaces in `types.ts`) appear in the matching schemas.
 */

export const ENDPOINTS = {
  clientConfig: { method: "GET", path: "/api/client-config", auth: false, response: "ClientConfig" },
  login: { method: "POST", path: "/api/auth/login", auth: false, request: "LoginRequest", response: "TokenResponse" },
  refresh: { method: "POST", path: "/api/auth/refresh", auth: false, request: "RefreshRequest", response: "TokenResponse" },
  logout: { method: "POST", path: "/api/auth/logout", auth: false, request: "RefreshRequest", response: null },
  me: { method: "GET", path: "/api/me", auth: true, response: "Me" },
  geoUnits: { method: "GET", path: "/api/geo/units", auth: true, query: ["level"], response: "OrgUnitCollection" },
  geoBounds: { method: "GET", path: "/api/geo/bounds", auth: true, response: "GeoBounds" },
} as const;

export type EndpointName = keyof typeof ENDPOINTS;
