// Jest reporter: sums the FHIR schema validations recorded by test/helpers/fhir-schema.ts and
// prints "FHIR R4 schema: N response bodies validated" at the end of the run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

class FhirSchemaReporter {
  constructor() {
    // Workers are spawned after reporters are built, so they inherit this variable.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-fhir-schema-'));
    process.env.FHIR_SCHEMA_COUNT_DIR = this.dir;
  }

  onRunComplete() {
    let total = 0;
    let files = 0;
    for (const f of fs.existsSync(this.dir) ? fs.readdirSync(this.dir) : []) {
      total += JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8')).count;
      files++;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (total > 0) process.stdout.write(`\nFHIR R4 schema: ${total} response bodies validated (${files} test files)\n`);
  }
}

module.exports = FhirSchemaReporter;
