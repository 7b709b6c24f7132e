#!/usr/bin/env node
// Reads a JSON array of Kubernetes objects on standard input and validates each against the schema of
// its apiVersion and kind (required fields, types, formats, enums), as kubernetes-models defines them.
// Prints one JSON line per object, {"kind", "name", "errors": [...]}, and exits 1 if any object has an
// error or is of a kind these models do not know.
"use strict";

function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
    return undefined;
  }
  try {
    return require(`kubernetes-models/${apiVersion}`)[kind];
  } catch (e) {
    return undefined;
  }
}

function errorsOf(object) {
  const Model = modelOf(object && object.apiVersion, object && object.kind);
  if (!Model) {
    return [`no schema for apiVersion ${JSON.stringify(object && object.apiVersion)} kind ${JSON.stringify(object && object.kind)}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (e) {
    const details = Array.isArray(e.errors) ? e.errors.map((d) => `${d.instancePath || "/"} ${d.message}`) : [];
    return details.length > 0 ? details : [String(e.message || e)];
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const objects = JSON.parse(input);
  let failed = false;
  for (const object of objects) {
    const errors = errorsOf(object);
    failed = failed || errors.length > 0;
    const name = object && object.metadata && object.metadata.name;
    console.log(JSON.stringify({ kind: object && object.kind, name, errors }));
  }
  process.exitCode = failed ? 1 : 0;
});
