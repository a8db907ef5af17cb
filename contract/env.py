"""Environment variable names read by more than one part of wampgate."""

from typing import Final

HOST: Final = "WAMPGATE_HOST"
PORT: Final = "WAMPGATE_PORT"
ECHO_PORT: Final = "WAMPGATE_ECHO_PORT"
ECHO_HOST: Final = "WAMPGATE_ECHO_HOST"
REALM: Final = "WAMPGATE_REALM"
STATE_DIR: Final = "WAMPGATE_STATE_DIR"
URL: Final = "WAMPGATE_URL"
USER: Final = "WAMPGATE_USER"
PASSWORD: Final = "WAMPGATE_PASSWORD"
LOG_LEVEL: Final = "WAMPGATE_LOG_LEVEL"

#: The backend transport spec (``unix:PATH`` or ``tcp:HOST:PORT``) components join on.
BACKEND: Final = "WAMPGATE_BACKEND"
BACKEND_SECRET: Final = "WAMPGATE_BACKEND_SECRET"
BACKEND_AUTHID: Final = "WAMPGATE_BACKEND_AUTHID"

CLOCK_INTERVAL: Final = "WAMPGATE_CLOCK_INTERVAL"

#: The HTTP bridge is on only when both are set; the secret never goes into a file.
HTTP_KEY: Final = "WAMPGATE_HTTP_KEY"
HTTP_SECRET: Final = "WAMPGATE_HTTP_SECRET"
