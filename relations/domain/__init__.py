"""The domain: countries, events, rules and the state machine.

Nothing here knows about databases, the CLI or the scheduler; it imports only the
standard library, ``transitions`` and ``pycountry``.
"""
