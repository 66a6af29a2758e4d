"""A PostgreSQL server of a test's own (pgserver's), which the test may stop and start again.

Never the shared server: stopping that would fail every other test running on it.
"""

import asyncio
from pathlib import Path
from typing import Any

from db.embedded import EmbeddedPostgres


class OwnPostgres:
    def __init__(self, data_dir: Path) -> None:
        self._embedded = EmbeddedPostgres(data_dir)
        self.dsn = ""

    def start(self) -> str:
        """Start the server (made on first use); its address stays the same across restarts."""
        self.dsn = self._embedded.start()
        return self.dsn

    async def stop_server(self) -> None:
        """Stop the server, ending its connections, as a restart or a crash of it would."""
        from pgserver._commands import pg_ctl

        server = self._server()
        await asyncio.to_thread(
            pg_ctl, ["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user
        )

    async def start_server(self) -> None:
        await asyncio.to_thread(self._server().ensure_postgres_running)

    def close(self) -> None:
        self._embedded.stop()

    def _server(self) -> Any:
        # Imported once started: EmbeddedPostgres prepares what pgserver reads at import.
        import pgserver

        return pgserver.get_server(self._embedded.data_dir / "pg", cleanup_mode="stop")
