"""Embedded SQLite implementations of the stores (the default on laptops and in devhost)."""
