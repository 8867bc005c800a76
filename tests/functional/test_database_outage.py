"""The status page stays up when the database goes down: public pages keep answering 200 from
the last snapshot and say how old it is, writes answer 503 with a clear JSON error, and service
resumes by itself when the database returns. Runs against a real PostgreSQL that this test
starts and stops itself."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main, missing_fixture  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="herald-pg-outage-")
        os.chmod(self.dir, 0o755)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*self.as_user, f"{PG_BIN}/initdb", "-D", f"{self.dir}/data", "-U", "herald", "-A", "trust",
                        "--no-sync"], check=True, capture_output=True)
        self.url = f"postgresql://herald@127.0.0.1:{self.port}/postgres"

    def start(self):
        subprocess.run([*self.as_user, f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w",
                        "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off", "start"],
                       check=True, capture_output=True)

    def stop(self):
        subprocess.run([*self.as_user, f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "stop"],
                       capture_output=True)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class DatabaseOutage(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(f"{PG_BIN}/initdb"):
            missing_fixture("PostgreSQL 15 server binaries are not installed (scripts/deps.sh test installs them)")

    def test_page_survives_database_outage_and_recovers(self):
        pg = Postgres()
        pg.start()
        h = Herald(db=pg.url, demo=True).start()
        try:
            admin = h.token("admin")
            pid = h.get("/v1/pages", token=admin).json()[0]["id"]
            before = h.get("/api/v2/summary.json").json()
            self.assertEqual(h.get("/").status, 200)

            pg.stop()
            # The publisher notices within its poll interval and marks the page stale.
            page = h.wait_for(lambda: (lambda r: b"temporarily unavailable" in r.body and r)(h.get("/")),
                              timeout=15, what="stale notice")
            self.assertEqual(page.status, 200)
            self.assertTrue(page.headers["X-Herald-Stale-Since"])
            summary = h.get("/api/v2/summary.json")
            self.assertEqual(summary.status, 200)
            self.assertEqual(summary.json()["incidents"][0]["id"], before["incidents"][0]["id"])
            self.assertEqual(h.get("/readyz").json()["database"], "down")
            r = h.request("POST", f"/v1/pages/{pid}/incidents", {"incident": {"name": "During outage"}}, token=admin)
            self.assertEqual(r.status, 503, r.body)
            self.assertEqual(r.json()["error"]["code"], "unavailable")
            self.assertIn("Retry-After", r.headers)

            pg.start()
            h.wait_for(lambda: b"temporarily unavailable" not in h.get("/").body, timeout=20, what="recovery")
            r = h.request("POST", f"/v1/pages/{pid}/incidents", {"incident": {"name": "After outage"}}, token=admin)
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual(h.get("/readyz").json()["database"], "up")
        finally:
            h.cleanup()
            pg.cleanup()


if __name__ == "__main__":
    main()
