"""Readers for the files events arrive in."""
