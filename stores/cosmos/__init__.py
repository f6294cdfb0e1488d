"""Azure Cosmos DB implementations of the stores (``azure-cosmos``; partition key ``/tenantId``)."""
