"""Timer-triggered starters: each keeps one scheduled orchestration running."""
