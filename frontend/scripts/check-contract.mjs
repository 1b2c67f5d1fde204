#!/usr/bin/env node
/**
 * Checks the frontend's API contract against the backend's OpenAPI document.
 *
 *   npm run types:check-contract -- <openapi.json | http://host:8000/schema/openapi.json>
 *   (or set PINGAN_OPENAPI to the path or URL)
 *
 * For every row of src/shared/endpoints.ts: the path and method exist; declared query
 * parameters exist; and every property of the request/response interface in
 * src/shared/types.ts appears in the operation's JSON schema — recursively for properties
 * whose type is another interface there (TokenResponse.user → Me → OrgUnitRef, …). Optional
 * properties (`name?:`) may be absent; extra properties on the server's side are fine.
 * Exits 1 listing each mismatch, 2 on usage errors, 0 when everything matches.
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = process.argv[2] ?? process.env.PINGAN_OPENAPI;
if (!source) {
  console.error("usage: npm run types:check-contract -- <openapi.json path or URL>  (or PINGAN_OPENAPI=…)");
  process.exit(2);
}

// --- our side ------------------------------------------------------------------------------

async function loadEndpoints() {
  const code = readFileSync(join(ROOT, "src/shared/endpoints.ts"), "utf8");
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`);
  return mod.ENDPOINTS;
}

/** interface name → [{ name, ref, optional }]; ref is the interface a property points to, if any. */
function loadInterfaces() {
  const file = join(ROOT, "src/shared/types.ts");
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const interfaces = new Map();
  const refOf = (type) => {
    if (!type) return null;
    if (ts.isArrayTypeNode(type)) return refOf(type.elementType);
    if (ts.isTypeReferenceNode(type)) return type.typeName.getText(sf);
    if (ts.isUnionTypeNode(type)) {
      for (const t of type.types) {
        const r = refOf(t);
        if (r) return r;
      }
    }
    return null;
  };
  sf.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) {
      const props = node.members
        .filter(ts.isPropertySignature)
        .map((m) => ({ name: m.name.getText(sf).replace(/^["']|["']$/g, ""), ref: refOf(m.type), optional: m.questionToken !== undefined }));
      interfaces.set(node.name.text, props);
    }
  });
  return interfaces;
}

// --- their side ----------------------------------------------------------------------------

async function loadOpenApi(from) {
  if (/^https?:\/\//.test(from)) {
    const response = await fetch(from);
    if (!response.ok) throw new Error(`${from}: HTTP ${response.status}`);
    return response.json();
  }
  return JSON.parse(readFileSync(from, "utf8"));
}

function resolve(doc, schema, seen = new Set()) {
  if (!schema || typeof schema !== "object") return null;
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return null;
    seen.add(schema.$ref);
    const target = schema.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o?.[decodeURIComponent(k)], doc);
    return resolve(doc, target, seen);
  }
  const parts = [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  if (parts.length > 0) {
    // Merge the members (e.g. `Me | null` is anyOf [Me, null]): a property counts if any member has it.
    const merged = { type: "object", properties: { ...(schema.properties ?? {}) } };
    for (const part of parts) {
      const r = resolve(doc, part, new Set(seen));
      if (r?.type === "array" || r?.items) return r;
      Object.assign(merged.properties, r?.properties ?? {});
    }
    return merged;
  }
  return schema;
}

function jsonSchemaOf(content) {
  if (!content) return null;
  const key = Object.keys(content).find((k) => k.includes("json"));
  return key ? content[key].schema : null;
}

// --- comparison ----------------------------------------------------------------------------

/** Types defined by a standard rather than by us (GeoJSON geometry, RFC 7946): name only, no recursion. */
const OPAQUE = new Set(["PolygonGeometry", "MultiPolygonGeometry"]);

function compare(doc, interfaces, typeName, schema, where, problems, depth = 0) {
  const props = interfaces.get(typeName);
  if (!props) {
    problems.push(`${where}: ${typeName} is not an interface in src/shared/types.ts`);
    return;
  }
  let resolved = resolve(doc, schema);
  if (resolved?.type === "array" && resolved.items) resolved = resolve(doc, resolved.items);
  if (!resolved?.properties) {
    problems.push(`${where}: the OpenAPI schema for ${typeName} has no properties`);
    return;
  }
  for (const prop of props) {
    const theirs = resolved.properties[prop.name];
    if (theirs === undefined) {
      if (prop.optional) continue; // `name?:` on our side: the server may leave it out
      problems.push(`${where}: ${typeName}.${prop.name} is missing from the OpenAPI schema`);
      continue;
    }
    if (prop.ref && interfaces.has(prop.ref) && !OPAQUE.has(prop.ref) && depth < 6) {
      let inner = resolve(doc, theirs);
      if (inner?.type === "array" && inner.items) inner = inner.items;
      compare(doc, interfaces, prop.ref, inner, `${where}.${prop.name}`, problems, depth + 1);
    }
  }
}

const endpoints = await loadEndpoints();
const interfaces = loadInterfaces();
let doc;
try {
  doc = await loadOpenApi(source);
} catch (err) {
  console.error(`cannot read the OpenAPI document: ${err.message}`);
  process.exit(2);
}

const problems = [];
for (const [name, ep] of Object.entries(endpoints)) {
  const where = `${name} (${ep.method} ${ep.path})`;
  const op = doc.paths?.[ep.path]?.[ep.method.toLowerCase()];
  if (!op) {
    problems.push(`${where}: no such operation in the OpenAPI document`);
    continue;
  }
  for (const q of ep.query ?? []) {
    const params = [...(doc.paths[ep.path].parameters ?? []), ...(op.parameters ?? [])].map((p) => resolve(doc, p));
    if (!params.some((p) => p?.name === q && p?.in === "query")) problems.push(`${where}: query parameter "${q}" is not declared`);
  }
  if (ep.request) {
    const schema = jsonSchemaOf(resolve(doc, op.requestBody)?.content);
    if (!schema) problems.push(`${where}: no JSON request body schema`);
    else compare(doc, interfaces, ep.request, schema, `${where} request`, problems);
  }
  if (ep.response) {
    const okCode = Object.keys(op.responses ?? {}).find((c) => /^2\d\d$/.test(c));
    const schema = okCode ? jsonSchemaOf(resolve(doc, op.responses[okCode])?.content) : null;
    if (!schema) problems.push(`${where}: no JSON schema for its 2xx response`);
    else compare(doc, interfaces, ep.response, schema, `${where} response`, problems);
  }
}

if (problems.length > 0) {
  console.error(`contract: ${problems.length} mismatch(es) against ${source}:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`contract: ${Object.keys(endpoints).length} endpoints match ${source}`);
