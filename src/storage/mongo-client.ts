/**
 * The one place a MongoDB client is made (the mediator, the command-line tools, the benchmarks and the
 * tests all call it), so every connection sends the same, valid handshake.
 *
 * Why `runtimeAdapters`: the driver fills the handshake's `client` metadata (driver, os, platform) from
 * `await import('os')`. Inside Jest's module sandbox (and any CommonJS vm without a dynamic-import
 * callback) that import rejects, the driver swallows the error and sends `client: {}`, which MongoDB
 * refuses ("Missing required sub-document 'driver' in the client metadata document"). Handing it the
 * `os` module directly makes the metadata complete wherever the code runs.
 */
import * as os from 'node:os';
import { MongoClient } from 'mongodb';
import type { MongoClientOptions } from 'mongodb';

/**
 * A MongoClient for `uri` (not connected: the driver connects on first use or `connect()`).
 * @param uri - a mongodb:// or mongodb+srv:// URI
 * @param options - driver options (appName, timeouts, monitorCommands…)
 */
export function createMongoClient(uri: string, options: MongoClientOptions = {}): MongoClient {
  return new MongoClient(uri, { serverSelectionTimeoutMS: 5000, ...options, runtimeAdapters: { os } });
}
