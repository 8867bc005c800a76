"""The management API limits requests per client address: past the burst, 429 with
Retry-After and a JSON error, while public pages keep answering."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main  # noqa: E402


class RateLimit(unittest.TestCase):
    def test_api_burst_then_429(self):
        h = Herald(env={"HERALD_HTTP_API_BURST": "5", "HERALD_HTTP_API_PER_SECOND": "1"}).start()
        try:
            key = h.token("viewer")
            statuses = [h.get("/v1/pages", token=key).status for _ in range(8)]
            self.assertEqual(statuses[:5], [200] * 5)
            self.assertIn(429, statuses[5:])
            r = h.get("/v1/pages", token=key)
            self.assertEqual(r.status, 429)
            self.assertEqual(r.json()["error"]["code"], "rate_limited")
            self.assertEqual(r.headers["Retry-After"], "1")
            self.assertEqual(h.get("/healthz").status, 200)
        finally:
            h.cleanup()


if __name__ == "__main__":
    main()
