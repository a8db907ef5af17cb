"""wampgate components: typed procedures and topics served over WAMP."""

import contextlib
import io

import txaio

# Everything in wampgate runs on asyncio. Select it before any Autobahn module
# binds txaio helpers at import time (the serializers do).
txaio.use_asyncio()

# Autobahn imports an optional serializer (bjdata) built against NumPy 1.x; with
# NumPy 2 the import prints a harmless traceback. Keep it out of our output.
with contextlib.redirect_stderr(io.StringIO()):
    import autobahn.wamp.serializer  # noqa: F401
