// Validates an OpenAPI document with Redocly's linter: its `recommended` rules, which include
// the OpenAPI 3.1 structural checks (`struct`), valid $refs and servers. Prints every problem
// and exits non-zero on any, warnings included.
// Usage: node lint.mjs PATH
import { lint, createConfig } from "@redocly/openapi-core";

const path = process.argv[2];
if (!path) throw new Error("usage: node lint.mjs PATH");
const config = await createConfig({
  extends: ["recommended"],
  // Herald declares no licence yet; the description must not invent one.
  rules: { "info-license": "off" },
});
const problems = await lint({ ref: path, config });
for (const p of problems) {
  const where = p.location.map((l) => l.pointer).join(", ");
  console.log(`${p.severity}: ${p.ruleId}: ${p.message} at ${where}`);
}
console.log(`openapi lint: ${problems.length} problems in ${path}`);
process.exit(problems.length ? 1 : 0);
