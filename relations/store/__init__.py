"""Persistence: the SQL schema, the SQL store, engines and migrations."""
