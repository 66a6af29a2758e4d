"""An embedded PostgreSQL (the pgserver package), so a newcomer needs no server installed."""

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in a folder; shared by every process that opens it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server and return its connection URI. Blocking."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # pgserver keeps its lock file in the user runtime dir; give it one where none is set.
        # A fixed place, not the data dir: pgserver touches it at exit, after a test's data
        # dir may be gone.
        runtime_dir = Path(tempfile.gettempdir()) / f"analyticbot-runtime-{os.getuid()}"
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
        import pgserver

        self._server = pgserver.get_server(self.data_dir / "pg", cleanup_mode="stop")
        log.info("embedded PostgreSQL running in %s", self.data_dir / "pg")
        return self._server.get_uri()

    def stop(self) -> None:
        """Release this process's handle; the last process out stops the server. Blocking."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
