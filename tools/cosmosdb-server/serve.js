#!/usr/bin/env node
// Starts @vercel/cosmosdb-server on loopback over TLS with a caller-supplied certificate,
// so the Python azure-cosmos client can verify it instead of disabling verification.
// Usage: node serve.js <cert.pem> <key.pem> [port]; prints "LISTENING <port>" once ready.
"use strict";
const fs = require("fs");
const { createHttpsServer } = require("@vercel/cosmosdb-server");
const jsonBody = require("@vercel/cosmosdb-server/lib/json");

// Real Cosmos DB takes a transactional batch's partition key from the request header (that is
// what the Python SDK sends); this server expects it on every operation. Copy it across.
const readJson = jsonBody.default;
jsonBody.default = async (req) => {
  const body = await readJson(req);
  const partitionKey = req.headers["x-ms-documentdb-partitionkey"];
  if (Array.isArray(body) && req.headers["x-ms-cosmos-is-batch-request"] && partitionKey) {
    for (const operation of body) {
      if (operation && operation.partitionKey === undefined) operation.partitionKey = partitionKey;
    }
  }
  return body;
};

const [certPath, keyPath, portArg] = process.argv.slice(2);
if (!certPath || !keyPath) {
  console.error("usage: node serve.js <cert.pem> <key.pem> [port]");
  process.exit(2);
}
const server = createHttpsServer({
  cert: fs.readFileSync(certPath),
  key: fs.readFileSync(keyPath),
  keepAlive: true,
});
server.listen(Number(portArg || 0), "127.0.0.1", () => {
  console.log(`LISTENING ${server.address().port}`);
});
// The parent test process owns our lifetime: exit when it closes our stdin.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
