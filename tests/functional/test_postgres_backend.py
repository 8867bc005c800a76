"""The management API and public surface suites again, with Herald on the real PostgreSQL that
`make test` starts: both store backends must behave the same end to end."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import main  # noqa: E402
from test_management_api import ManagementApi  # noqa: E402
from test_public_surface import PublicSurface  # noqa: E402


class ManagementApiOnPostgres(ManagementApi):
    backend = "postgresql"


class PublicSurfaceOnPostgres(PublicSurface):
    backend = "postgresql"


del ManagementApi, PublicSurface  # run only the PostgreSQL variants here

if __name__ == "__main__":
    main()
