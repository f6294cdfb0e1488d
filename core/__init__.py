"""Domain core: models, mapping, dedup, conflicts, schedules, errors, settings.

Imports no Azure SDK and no HTTP client.
"""
