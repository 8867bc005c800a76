// A client generated from web/openapi.json (openapi-typescript's types driving openapi-fetch)
// makes real calls against a running Herald: it creates a page, two components, an incident
// and an update, lists them and checks what it reads back. TypeScript's strict check against
// the generated types proves the calls and the fields read are the ones described; every
// response body is also validated against the described schema with no undescribed property
// allowed, which proves the server answers what is described.
// Usage (tests/functional/test_openapi.py runs it): node client.mjs BASE_URL API_KEY OPENAPI_JSON
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema.js";

const [baseUrl, apiKey, docPath] = process.argv.slice(2);
if (!baseUrl || !apiKey || !docPath) throw new Error("usage: node client.mjs BASE_URL API_KEY OPENAPI_JSON");
const doc = JSON.parse(readFileSync(docPath, "utf8"));

// Every object schema that lists its properties may have no others: a field the server sends
// but the description does not name fails the check.
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (o.properties && !("additionalProperties" in o)) o.additionalProperties = false;
  Object.values(o).forEach(closeObjects);
}
const strictDoc = structuredClone(doc);
closeObjects(strictDoc.components);
closeObjects(strictDoc.paths);
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(strictDoc, "openapi.json");

const checked: string[] = [];
const validateResponses: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const method = request.method.toLowerCase();
    const op = doc.paths[schemaPath]?.[method];
    assert.ok(op, `${method} ${schemaPath} is not described`);
    const status = String(response.status);
    assert.ok(op.responses[status], `${method} ${schemaPath} answered ${status}, which is not described`);
    const media = op.responses[status].content?.["application/json"];
    if (!media) return undefined;
    const pointer = ["paths", schemaPath, method, "responses", status, "content", "application/json", "schema"]
      .map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1"))
      .join("/");
    const validate = ajv.getSchema(`openapi.json#/${pointer}`);
    assert.ok(validate, `no schema at ${pointer}`);
    const body = await response.clone().json();
    assert.ok(
      validate(body),
      `${method} ${schemaPath} ${status} does not match its description: ${ajv.errorsText(validate.errors)}\n` +
        JSON.stringify(body).slice(0, 2000),
    );
    checked.push(`${request.method} ${schemaPath} ${status}`);
    return undefined;
  },
};

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
client.use(validateResponses);

const created = await client.POST("/v1/pages", {
  body: { page: { name: "Generated client", slug: "generated-client", time_zone: "Europe/Berlin" } },
});
assert.equal(created.response.status, 201, JSON.stringify(created.error));
const page = created.data!;
assert.equal(page.name, "Generated client");
assert.equal(page.slug, "generated-client");
assert.equal(page.time_zone, "Europe/Berlin");
const page_id = page.id;

const api = await client.POST("/v1/pages/{page_id}/components", {
  params: { path: { page_id } },
  body: { component: { name: "API", description: "The public API", status: "operational" } },
});
assert.equal(api.response.status, 201, JSON.stringify(api.error));
const web = await client.POST("/v1/pages/{page_id}/components", {
  params: { path: { page_id } },
  body: { component: { name: "Website", status: "operational" } },
});
assert.equal(web.response.status, 201, JSON.stringify(web.error));
const apiId = api.data!.id;
const webId = web.data!.id;

const incident = await client.POST("/v1/pages/{page_id}/incidents", {
  params: { path: { page_id } },
  headers: { "Idempotency-Key": "generated-client-incident" },
  body: {
    incident: {
      name: "Elevated API errors",
      status: "investigating",
      impact_override: "major",
      body: "We are looking into **errors** on the API.",
      components: { [apiId]: "major_outage" },
      deliver_notifications: false,
    },
  },
});
assert.equal(incident.response.status, 201, JSON.stringify(incident.error));
const incidentId = incident.data!.id;

const update = await client.POST("/v1/pages/{page_id}/incidents/{incident_id}/incident_updates", {
  params: { path: { page_id, incident_id: incidentId } },
  body: { incident_update: { status: "identified", body: "A bad deploy; rolling back." } },
});
assert.equal(update.response.status, 201, JSON.stringify(update.error));

// Read everything back through list and get operations.
const pages = await client.GET("/v1/pages");
assert.ok(pages.data!.some((p) => p.id === page_id && p.name === "Generated client"));

const components = await client.GET("/v1/pages/{page_id}/components", { params: { path: { page_id } } });
const byId = new Map(components.data!.map((c) => [c.id, c]));
assert.equal(byId.size, 2);
assert.equal(byId.get(apiId)!.name, "API");
assert.equal(byId.get(apiId)!.description, "The public API");
assert.equal(byId.get(apiId)!.status, "major_outage");
assert.equal(byId.get(webId)!.status, "operational");
assert.equal(byId.get(webId)!.description, null);

const incidents = await client.GET("/v1/pages/{page_id}/incidents", {
  params: { path: { page_id }, query: { page: 1, per_page: 10 } },
});
assert.equal(incidents.data!.length, 1);
const listed = incidents.data![0]!;
assert.equal(listed.id, incidentId);
assert.equal(listed.name, "Elevated API errors");
assert.equal(listed.status, "identified");
assert.equal(listed.impact, "major");
assert.equal(listed.resolved_at, null);
assert.deepEqual(
  listed.components.map((c) => [c.id, c.status]),
  [[apiId, "major_outage"]],
);

const unresolved = await client.GET("/v1/pages/{page_id}/incidents/unresolved", { params: { path: { page_id } } });
assert.deepEqual(
  unresolved.data!.map((i) => i.id),
  [incidentId],
);

const updates = await client.GET("/v1/pages/{page_id}/incidents/{incident_id}/incident_updates", {
  params: { path: { page_id, incident_id: incidentId } },
});
const bodies = updates.data!.map((u) => [u.status, u.body]).sort();
assert.deepEqual(bodies, [
  ["identified", "A bad deploy; rolling back."],
  ["investigating", "We are looking into **errors** on the API."],
]);
const first = updates.data!.find((u) => u.status === "investigating")!;
assert.equal(first.incident_id, incidentId);
assert.deepEqual(first.affected_components, [
  { code: apiId, name: "API", old_status: "operational", new_status: "major_outage" },
]);

// Resolving restores the component; the update is readable on the incident itself.
const resolved = await client.PATCH("/v1/pages/{page_id}/incidents/{incident_id}", {
  params: { path: { page_id, incident_id: incidentId } },
  body: { incident: { status: "resolved", body: "Rolled back; errors are gone." } },
});
assert.equal(resolved.response.status, 200, JSON.stringify(resolved.error));
const fetched = await client.GET("/v1/pages/{page_id}/incidents/{incident_id}", {
  params: { path: { page_id, incident_id: incidentId } },
});
assert.equal(fetched.data!.status, "resolved");
assert.ok(fetched.data!.resolved_at);
assert.equal(fetched.data!.incident_updates.length, 3);
const apiNow = await client.GET("/v1/pages/{page_id}/components/{component_id}", {
  params: { path: { page_id, component_id: apiId } },
});
assert.equal(apiNow.data!.status, "operational");

// Errors have the described shape too.
const missing = await client.GET("/v1/pages/{page_id}/components/{component_id}", {
  params: { path: { page_id, component_id: "no-such-component" } },
});
assert.equal(missing.response.status, 404);
assert.equal(missing.error!.error.code, "not_found");
const bad = await client.POST("/v1/pages/{page_id}/components", {
  params: { path: { page_id } },
  // A wrong status is refused naming the field; the cast sends what the types would not allow.
  body: { component: { name: "Bad", status: "broken" as "operational" } },
});
assert.equal(bad.response.status, 400);
assert.equal(bad.error!.error.field, "status");

console.log(`generated client: ${checked.length} responses matched their description`);
for (const c of checked) console.log(`  ${c}`);
