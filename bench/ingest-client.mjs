// The camera side of the ingest bench, in its own process as a camera would be:
// posts ready-made CBOR capture batches in order, one at a time, and prints the
// wall time of each round as JSON. Arguments: verifier URL, then a JSON array of
// rounds, each an array of batch file paths.
import { readFileSync } from "node:fs";

const [url, roundsJson] = process.argv.slice(2);
const rounds = JSON.parse(roundsJson).map((files) => files.map((file) => readFileSync(file)));
const seconds = [];
for (const bodies of rounds) {
  const start = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${url}/v1/captures`, { method: "POST", headers: { "content-type": "application/cbor" }, body });
    const answer = await response.json();
    if (response.status !== 200 || answer.results.some((result) => result.status !== "recorded")) {
      throw new Error(`batch not recorded: ${response.status} ${JSON.stringify(answer).slice(0, 400)}`);
    }
  }
  seconds.push((performance.now() - start) / 1000);
}
process.stdout.write(JSON.stringify({ seconds }));
