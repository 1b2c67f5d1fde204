#!/usr/bin/env node
/**
 * Checks the realtime message types in src/shared/types.ts against backend/realtime/protocol.py.
 *
 *   npm run types:check-ws            (part of `npm run check`)
 *   PINGAN_PROTOCOL_PY=path/to/protocol.py npm run types:check-ws
 *
 * Reads protocol.py as text (no Python needed): every `class X(msgspec.Struct, ...)`, its `tag`,
 * `array_like`, fields (name, type, whether it has a default), module-level `Annotated` aliases,
 * the `ClientMessage` / `ServerMessage` unions, `SUBPROTOCOL`, `TOKEN_PREFIX` and `CloseCode`.
 * Compares them with types.ts (parsed by the TypeScript compiler):
 *
 *   - Struct `X` ↔ interface `WsX`; a tagged Struct's interface has `type: "<tag>"`;
 *   - the same field names; types map str→string, int/float→number, bool→boolean,
 *     list[T]→T[], dict[str, Any]→Record<string, unknown>, `T | None`→`T | null`,
 *     another Struct `Y`→`WsY`; `Annotated[T, …]` and aliases of it are T;
 *   - a TS-optional field must have a Python default; a client→server field with a default
 *     must be optional in TS (so the client can leave it out);
 *   - `array_like` Structs are labelled tuples with the fields in order;
 *   - `WsClientMessage` / `WsServerMessage` list the same members as the Python unions;
 *   - `WS_SUBPROTOCOL`, `WS_TOKEN_PREFIX` and `WS_CLOSE` hold the same values.
 *
 * Exits 1 listing each mismatch, 2 when a file cannot be read, 0 when everything matches.
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PROTOCOL = process.env.PINGAN_PROTOCOL_PY ?? join(ROOT, "..", "backend", "realtime", "protocol.py");
const TYPES = join(ROOT, "src", "shared", "types.ts");

if (!existsSync(PROTOCOL)) {
  console.error(`check-ws-contract: ${PROTOCOL} not found; run inside the repository or set PINGAN_PROTOCOL_PY`);
  process.exit(2);
}

// --- Python side ---------------------------------------------------------------------------

/** Splits a Python type expression into a tree: {name, args[]} or {union: [...]}. */
function parsePyType(text) {
  const tokens = text.match(/[A-Za-z_][\w.]*|\[|\]|,|\||\(|\)|"[^"]*"|'[^']*'|[^\s\w]+|\d[\w.]*/g) ?? [];
  let i = 0;
  const skipParens = () => {
    let depth = 0;
    do {
      if (tokens[i] === "(") depth += 1;
      if (tokens[i] === ")") depth -= 1;
      i += 1;
    } while (depth > 0 && i < tokens.length);
  };
  const parseUnion = () => {
    const members = [parseAtom()];
    while (tokens[i] === "|") {
      i += 1;
      members.push(parseAtom());
    }
    return members.length === 1 ? members[0] : { union: members };
  };
  const parseAtom = () => {
    const name = tokens[i++];
    if (tokens[i] === "(") {
      skipParens(); // Meta(...), field(...)
      return { name: "<call>", args: [] };
    }
    const args = [];
    if (tokens[i] === "[") {
      i += 1;
      while (tokens[i] !== "]" && i < tokens.length) {
        args.push(parseUnion());
        if (tokens[i] === ",") i += 1;
      }
      i += 1;
    }
    return { name, args };
  };
  return parseUnion();
}

/** Canonical form of a Python type, in the words of the TypeScript side. */
function canonicalPy(node, aliases) {
  if (node.union) {
    return node.union.map((m) => canonicalPy(m, aliases)).sort().join(" | ");
  }
  const { name, args } = node;
  if (name === "Annotated") return canonicalPy(args[0], aliases);
  // Literal["a", "b"] is the TypeScript union of string literals "a" | "b".
  if (name === "Literal") return args.map((a) => a.name.replace(/^'|'$/g, '"')).sort().join(" | ");
  if (aliases.has(name)) return canonicalPy(aliases.get(name), aliases);
  switch (name) {
    case "str":
      return "string";
    case "int":
    case "float":
      return "number";
    case "bool":
      return "boolean";
    case "None":
      return "null";
    case "Any":
      return "unknown";
    case "list":
      return `${canonicalPy(args[0], aliases)}[]`;
    case "dict":
      return `Record<${canonicalPy(args[0], aliases)}, ${canonicalPy(args[1], aliases)}>`;
    default:
      return `Ws${name}`;
  }
}

function loadProtocol() {
  // ruff wraps a long union in parentheses over several lines: join it back into one.
  const source = readFileSync(PROTOCOL, "utf8").replace(
    /^(\w+Message) = \(\s*\n([\s\S]*?)\n\)/gm,
    (_all, name, body) => `${name} = ${body.replace(/\s+/g, " ").trim()}`,
  );
  const lines = source.split("\n");
  const aliases = new Map();
  const structs = new Map();
  const unions = new Map();
  const constants = new Map();
  const closeCodes = new Map();
  let current = null;
  let inDocstring = false;
  let inCloseCode = false;
  for (const raw of lines) {
    const line = raw.replace(/\s+#.*$/, "");
    const cls = /^class (\w+)(?:\(([^)]*)\))?:/.exec(line);
    if (cls) {
      inCloseCode = cls[1] === "CloseCode";
      current = null;
      if ((cls[2] ?? "").includes("msgspec.Struct")) {
        const tag = /tag="([^"]+)"/.exec(cls[2]);
        current = { name: cls[1], tag: tag ? tag[1] : null, arrayLike: /array_like=True/.test(cls[2]), fields: [] };
        structs.set(cls[1], current);
      }
      continue;
    }
    if (/^\S/.test(line) && line.trim() !== "") {
      current = null;
      inCloseCode = false;
      const alias = /^(\w+) = (Annotated\[.*\])$/.exec(line);
      if (alias) aliases.set(alias[1], parsePyType(alias[2]));
      const union = /^(\w+Message) = ([\w\s|]+)$/.exec(line);
      if (union) unions.set(union[1], union[2].split("|").map((s) => s.trim()));
      const constant = /^([A-Z_]+) = "([^"]*)"$/.exec(line);
      if (constant) constants.set(constant[1], constant[2]);
      continue;
    }
    const body = line.trim();
    if (body.startsWith('"""')) {
      const closes = body.length > 3 && body.slice(3).includes('"""');
      inDocstring = closes ? false : !inDocstring;
      continue;
    }
    if (inDocstring) {
      if (body.includes('"""')) inDocstring = false;
      continue;
    }
    if (inCloseCode) {
      const code = /^([A-Z_]+) = (\d+)$/.exec(body);
      if (code) closeCodes.set(code[1], Number(code[2]));
      continue;
    }
    if (current && /^ {4}\w+:/.test(line)) {
      const field = /^ {4}(\w+): (.+?)(?: = (.+))?$/.exec(line);
      if (field) current.fields.push({ name: field[1], type: parsePyType(field[2]), hasDefault: field[3] !== undefined });
    }
  }
  for (const struct of structs.values()) {
    for (const f of struct.fields) f.canonical = canonicalPy(f.type, aliases);
  }
  return { structs, unions, constants, closeCodes };
}

// --- TypeScript side -----------------------------------------------------------------------

function canonicalTs(node, sf) {
  if (!node) return "<none>";
  if (ts.isParenthesizedTypeNode(node)) return canonicalTs(node.type, sf);
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return canonicalTs(node.type, sf);
  if (ts.isUnionTypeNode(node)) return node.types.map((t) => canonicalTs(t, sf)).sort().join(" | ");
  if (ts.isArrayTypeNode(node)) return `${canonicalTs(node.elementType, sf)}[]`;
  if (ts.isLiteralTypeNode(node)) {
    if (node.literal.kind === ts.SyntaxKind.NullKeyword) return "null";
    return node.literal.getText(sf);
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText(sf);
    const args = (node.typeArguments ?? []).map((a) => canonicalTs(a, sf));
    if (name === "Array" || name === "ReadonlyArray") return `${args[0]}[]`;
    return args.length > 0 ? `${name}<${args.join(", ")}>` : name;
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return "string";
    case ts.SyntaxKind.NumberKeyword:
      return "number";
    case ts.SyntaxKind.BooleanKeyword:
      return "boolean";
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.AnyKeyword:
      return "unknown";
    default:
      return node.getText(sf);
  }
}

function loadTypes() {
  const sf = ts.createSourceFile(TYPES, readFileSync(TYPES, "utf8"), ts.ScriptTarget.ES2022, true);
  const interfaces = new Map();
  const tuples = new Map();
  const unions = new Map();
  const constants = new Map();
  sf.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text.startsWith("Ws")) {
      interfaces.set(
        node.name.text,
        node.members.filter(ts.isPropertySignature).map((m) => ({
          name: m.name.getText(sf),
          optional: m.questionToken !== undefined,
          canonical: canonicalTs(m.type, sf),
          typeText: m.type?.getText(sf),
        })),
      );
    } else if (ts.isTypeAliasDeclaration(node) && node.name.text.startsWith("Ws")) {
      if (ts.isTupleTypeNode(node.type)) {
        tuples.set(
          node.name.text,
          node.type.elements.map((e) =>
            ts.isNamedTupleMember(e) ? { name: e.name.text, canonical: canonicalTs(e.type, sf) } : { name: "<unlabelled>", canonical: canonicalTs(e, sf) },
          ),
        );
      } else if (ts.isUnionTypeNode(node.type)) {
        unions.set(node.name.text, node.type.types.map((t) => t.getText(sf)));
      }
    } else if (ts.isVariableStatement(node)) {
      for (const decl of node.declarationList.declarations) {
        let init = decl.initializer;
        if (init && ts.isAsExpression(init)) init = init.expression;
        if (!init) continue;
        if (ts.isStringLiteral(init)) constants.set(decl.name.getText(sf), init.text);
        if (ts.isObjectLiteralExpression(init)) {
          const values = new Map();
          for (const p of init.properties) {
            if (ts.isPropertyAssignment(p) && ts.isNumericLiteral(p.initializer)) values.set(p.name.getText(sf), Number(p.initializer.text));
          }
          constants.set(decl.name.getText(sf), values);
        }
      }
    }
  });
  return { interfaces, tuples, unions, constants };
}

// --- comparison ----------------------------------------------------------------------------

const py = loadProtocol();
const tsSide = loadTypes();
const problems = [];
const clientStructs = new Set(py.unions.get("ClientMessage") ?? []);

if (py.structs.size === 0) problems.push(`no msgspec Structs found in ${PROTOCOL}: has the file's layout changed?`);

for (const struct of py.structs.values()) {
  const tsName = `Ws${struct.name}`;
  if (struct.arrayLike) {
    const tuple = tsSide.tuples.get(tsName);
    if (!tuple) {
      problems.push(`${struct.name} is array_like: types.ts needs a labelled tuple type ${tsName}`);
      continue;
    }
    const want = struct.fields.map((f) => `${f.name}: ${f.canonical}`).join(", ");
    const have = tuple.map((e) => `${e.name}: ${e.canonical}`).join(", ");
    if (want !== have) problems.push(`${tsName}: tuple is [${have}], protocol.py has [${want}]`);
    continue;
  }
  const props = tsSide.interfaces.get(tsName);
  if (!props) {
    problems.push(`${struct.name}: no interface ${tsName} in types.ts`);
    continue;
  }
  const byName = new Map(props.map((p) => [p.name, p]));
  if (struct.tag !== null) {
    const type = byName.get("type");
    if (!type || type.typeText !== `"${struct.tag}"`) problems.push(`${tsName}.type must be "${struct.tag}" (found ${type?.typeText ?? "nothing"})`);
    byName.delete("type");
  }
  for (const field of struct.fields) {
    const prop = byName.get(field.name);
    byName.delete(field.name);
    if (!prop) {
      problems.push(`${tsName}: missing field ${field.name} (${field.canonical})`);
      continue;
    }
    if (prop.canonical !== field.canonical) problems.push(`${tsName}.${field.name}: ${prop.canonical} in types.ts, ${field.canonical} in protocol.py`);
    if (prop.optional && !field.hasDefault) problems.push(`${tsName}.${field.name} is optional but protocol.py requires it`);
    if (!prop.optional && field.hasDefault && clientStructs.has(struct.name)) {
      problems.push(`${tsName}.${field.name} has a default in protocol.py: make it optional (client → server)`);
    }
  }
  for (const extra of byName.keys()) problems.push(`${tsName}.${extra} is not in protocol.py's ${struct.name}`);
}

for (const [pyUnion, tsUnion] of [
  ["ClientMessage", "WsClientMessage"],
  ["ServerMessage", "WsServerMessage"],
]) {
  const want = (py.unions.get(pyUnion) ?? []).map((n) => `Ws${n}`).sort().join(" | ");
  const have = [...(tsSide.unions.get(tsUnion) ?? [])].sort().join(" | ");
  if (want === "") problems.push(`protocol.py has no ${pyUnion} union`);
  else if (want !== have) problems.push(`${tsUnion} is ${have || "missing"}; protocol.py's ${pyUnion} is ${want}`);
}

for (const [pyName, tsName] of [
  ["SUBPROTOCOL", "WS_SUBPROTOCOL"],
  ["TOKEN_PREFIX", "WS_TOKEN_PREFIX"],
]) {
  if (py.constants.get(pyName) !== tsSide.constants.get(tsName)) {
    problems.push(`${tsName} is ${JSON.stringify(tsSide.constants.get(tsName))}; protocol.py's ${pyName} is ${JSON.stringify(py.constants.get(pyName))}`);
  }
}
const close = tsSide.constants.get("WS_CLOSE");
const wantClose = [...py.closeCodes].map(([k, v]) => `${k}=${v}`).sort().join(", ");
const haveClose = close instanceof Map ? [...close].map(([k, v]) => `${k}=${v}`).sort().join(", ") : "missing";
if (wantClose !== haveClose) problems.push(`WS_CLOSE is {${haveClose}}; protocol.py's CloseCode is {${wantClose}}`);

if (problems.length > 0) {
  console.error(`check-ws-contract: ${relative(ROOT, TYPES)} differs from ${relative(ROOT, PROTOCOL)}:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`check-ws-contract: ${py.structs.size} message structs, both unions, constants and close codes match`);
