"""Per-provider parsers: an authentic request -> ``ParsedDelivery`` (events and signals) or ``Malformed``."""
