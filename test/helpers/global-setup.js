// Integration tests run against the local stack (npm run stack:up); take its URIs from .stack/env.
const fs = require('node:fs');
const path = require('node:path');

module.exports = async function globalSetup() {
  const envFile = path.join(__dirname, '..', '..', '.stack', 'env');
  if (fs.existsSync(envFile)) {
    for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m && !process.env[m[1]]) process.env[m[1]] = m[2];
    }
  }
  process.env.MONGODB_URI ??= 'mongodb://127.0.0.1:27117/';
  process.env.KAFKA_BROKERS ??= '127.0.0.1:19092';
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
};
