"""The OpenAPI description served at /v1/openapi.json, against the real server:
- it is valid OpenAPI 3.1 by Redocly's linter (a standard validator, not a hand-written check);
- every operation it describes is answered by the server's router, and every other method on a
  described /v1 path is refused with 405 (src/api/routes_test.cc checks the router's route table
  against the description both ways; this checks the running server);
- a client generated from it (openapi-typescript's types, openapi-fetch's calls, type-checked
  by TypeScript in strict mode) creates a page, components, an incident and an update, reads
  them back, and every response matches its described schema with no undescribed field.
The tools are pinned by tests/openapi/package-lock.json and installed by `scripts/deps.sh test`;
without them these tests fail, never skip."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import HeraldTestCase, main  # noqa: E402

TOOLS = os.path.normpath(os.path.join(os.path.dirname(__file__), "../openapi"))
METHODS = ["get", "post", "put", "patch", "delete"]
# What the server says when nothing routes a request (AdminApi, the public surface, the sign-up
# handler): an operation answered this way is described but not served.
UNROUTED = re.compile(r"^(no such endpoint|no such API document|page not found|method not allowed)")


class OpenApiTest(HeraldTestCase):
    # One request per method each described path does not answer, all from one client: more than
    # the default API rate limit allows in a burst. The limit itself is tested in test_rate_limit.py.
    env = {"HERALD_HTTP_API_BURST": "100000", "HERALD_HTTP_API_PER_SECOND": "10000"}
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.herald.get("/v1/openapi.json")
        assert r.status == 200, r.body
        cls.doc = r.json()
        cls.doc_path = os.path.join(cls.herald.tmp, "openapi.json")
        with open(cls.doc_path, "wb") as f:
            f.write(r.body)
        p = cls.herald.request("POST", "/v1/pages", token=cls.admin, body={"page": {"name": "Probe", "slug": "probe"}})
        assert p.status == 201, p.body
        cls.page_id = p.json()["id"]

    def node(self, *args, cwd=TOOLS):
        """Runs node with a script from tests/openapi; fails (not skips) when the tools are absent."""
        if not os.path.isdir(os.path.join(TOOLS, "node_modules")):
            self.fail(f"{TOOLS}/node_modules is missing: run scripts/deps.sh test (npm ci there)")
        p = subprocess.run(["node", *args], cwd=cwd, capture_output=True, text=True, timeout=240)
        return p.returncode, p.stdout + p.stderr

    def operations(self):
        for path, item in self.doc["paths"].items():
            for method in item:
                if method in METHODS + ["head"]:
                    yield method, path

    def concrete(self, path):
        """The path with the probe page's id and made-up ids for everything else."""
        path = path.replace("{page_id}", self.page_id)
        return re.sub(r"\{(\w+)\}", lambda m: "no-such-" + m.group(1).replace("_", "-"), path)

    def test_served_description_is_valid_openapi_3_1(self):
        self.assertTrue(self.doc["openapi"].startswith("3.1."), self.doc["openapi"])
        rc, out = self.node("lint.mjs", self.doc_path)
        self.assertEqual(rc, 0, out)
        self.assertIn("openapi lint: 0 problems", out)

    def test_the_linter_refuses_openapi_3_0_syntax(self):
        # The validator above can fail: the 3.0 `nullable` and a path-level `security` it once had.
        doc = json.loads(json.dumps(self.doc))
        doc["components"]["schemas"]["Page"]["properties"]["domain"] = {"type": "string", "nullable": True}
        doc["paths"]["/v1/pages"]["security"] = []
        del doc["servers"]
        bad = os.path.join(self.herald.tmp, "openapi-3.0-syntax.json")
        with open(bad, "w") as f:
            json.dump(doc, f)
        rc, out = self.node("lint.mjs", bad)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("Property `nullable` is not expected here", out)
        self.assertIn("Property `security` is not expected here", out)
        self.assertIn("no-empty-servers", out)

    def test_every_described_operation_is_answered(self):
        ops = list(self.operations())
        self.assertGreater(len(ops), 70)
        for method, path in ops:
            with self.subTest(op=f"{method.upper()} {path}"):
                # An empty JSON body: writes are refused as invalid or not found, nothing changes.
                body = {} if method in ("post", "put", "patch") else None
                r = self.herald.request(method.upper(), self.concrete(path), token=self.admin, body=body)
                self.assertNotIn(r.status, (405, 501), r.body)
                if r.status == 404 and r.body:
                    self.assertNotRegex(r.json()["error"]["message"], UNROUTED)
                if r.status < 300 and method != "head" and "application/json" in r.headers.get("Content-Type", ""):
                    described = self.doc["paths"][path][method]["responses"]
                    self.assertIn(str(r.status), described, r.body[:300])

    def test_methods_not_described_are_refused(self):
        for path, item in self.doc["paths"].items():
            if not path.startswith("/v1/"):
                continue
            described = {m for m in item if m in METHODS}
            allow = {m.upper() for m in described} | ({"HEAD"} if "get" in described else set())
            for method in set(METHODS) - described:
                with self.subTest(op=f"{method.upper()} {path}"):
                    r = self.herald.request(method.upper(), self.concrete(path), token=self.admin)
                    self.assertEqual(r.status, 405, r.body)
                    self.assertEqual({m.strip() for m in r.headers["Allow"].split(",")}, allow)
                    self.assertEqual(r.json()["error"]["code"], "invalid")

    def test_a_generated_client_creates_and_reads_back(self):
        out_dir = os.path.join(self.herald.tmp, "client")
        os.makedirs(out_dir)
        os.symlink(os.path.join(TOOLS, "node_modules"), os.path.join(out_dir, "node_modules"))
        for name in ("client.mts", "tsconfig.json"):
            with open(os.path.join(TOOLS, name)) as src, open(os.path.join(out_dir, name), "w") as dst:
                dst.write(src.read())
        rc, out = self.node("node_modules/openapi-typescript/bin/cli.js", self.doc_path, "-o",
                            os.path.join(out_dir, "schema.d.ts"), cwd=out_dir)
        self.assertEqual(rc, 0, out)
        # Strict type-checking against the generated types: a call or field the description does
        # not have fails here.
        rc, out = self.node("node_modules/typescript/bin/tsc", "-p", ".", cwd=out_dir)
        self.assertEqual(rc, 0, out)
        rc, out = self.node("client.mjs", self.herald.url, self.admin, self.doc_path, cwd=out_dir)
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"generated client: 1[0-9] responses matched their description")
        # What the client wrote is there for anyone else, too.
        pages = self.herald.get("/v1/pages", token=self.admin).json()
        page = next(p for p in pages if p["slug"] == "generated-client")
        incidents = self.herald.get(f"/v1/pages/{page['id']}/incidents", token=self.admin).json()
        self.assertEqual([i["name"] for i in incidents], ["Elevated API errors"])
        self.assertEqual(len(incidents[0]["incident_updates"]), 3)


if __name__ == "__main__":
    main()
