"""What the router, the components and the clients agree on, defined once.

Every module here imports nothing of wampgate's and runs no code at import:
``uris`` (public URIs), ``env`` (environment variable names), ``defaults``
(default host, ports, realm, limits) and ``logformat`` (the log lines the
launcher reads to know the gateway is ready).
"""
