"""The journal: every event on a journaled topic stored with a per-topic ``seq``.

- :mod:`~wampgate.router.journal.rules`: which topics are journaled, their retention (pure).
- :mod:`~wampgate.router.journal.db`: the tables on SQLite or PostgreSQL, and the queries.
- :mod:`~wampgate.router.journal.store`: the router side: assigns each event its
  ``seq`` at publish time and writes batches from a thread of its own.
- :mod:`~wampgate.router.journal.component`: the router component that installs the store
  in Crossbar's event-store slot and adds ``x_seq`` to every journaled EVENT.

The history procedures and retention are served by the ``journal`` component
(:mod:`wampgate.components.journal`), a guest supervised like the others.
"""
