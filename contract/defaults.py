"""Default settings shared by the launcher, the components and the clients."""

from typing import Final

HOST: Final = "127.0.0.1"
PORT: Final = 8080
ECHO_PORT: Final = 9000
#: WAMP over RawSocket for clients (msgpack, cbor, json), anonymous like /ws.
RAWSOCKET_PORT: Final = 8081
#: Where ``wampgate up --proxies N`` serves /ws through Crossbar proxy workers.
PROXY_PORT: Final = 8082
REALM: Final = "realm1"
URL: Final = f"ws://{HOST}:{PORT}/ws"
BACKEND_AUTHID: Final = "backend"
BACKEND_ROLE: Final = "backend"
#: Sessions without credentials (browsers, the CLI).
ANONYMOUS_ROLE: Final = "anonymous"
#: Named users (people) who sign in with a password or a key.
USER_ROLE: Final = "user"
#: Named services: may register and publish under their own prefixes.
SERVICE_ROLE: Final = "service"
#: Operators: the meta API, including killing sessions.
ADMIN_ROLE: Final = "admin"
STATE_DIR_NAME: Final = ".wampgate"
#: Where components join the router when WAMPGATE_BACKEND is not set (the launcher sets it).
BACKEND: Final = f"unix:{STATE_DIR_NAME}/node/backend.sock"
#: Seconds between two ``demo.clock.tick`` events.
CLOCK_INTERVAL: Final = 1.0
#: The journal's SQLite file, in the state directory.
JOURNAL_FILE: Final = "journal.sqlite3"
#: Journaled events are kept this long (seconds) unless a topic rule says otherwise.
JOURNAL_MAX_AGE: Final = 30 * 24 * 3600.0
#: Seconds between two retention passes.
JOURNAL_PRUNE_INTERVAL: Final = 60.0
