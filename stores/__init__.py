"""Record, state and secret stores: one small Protocol each, an embedded SQLite implementation
(the laptop default) and an Azure implementation (Cosmos DB, Key Vault), chosen by Settings."""
