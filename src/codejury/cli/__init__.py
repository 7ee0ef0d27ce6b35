"""The ``codejury`` command line. Every module here with a ``register(app)`` adds its commands."""
