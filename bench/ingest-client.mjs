// The camera side of the ingest bench, in its own process as a camera would be:
// posts ready-made CBOR capture batches in order, one at a time, and prints the
// wall time of each round as JSON. Arguments: verifier URL, then a JSON array of
// rounds, each an array of batch file paths. It uses node:http rather than
// fetch: undici's body handling would make the client, not the verifier, the
// bottleneck being measured.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";

const [url, roundsJson] = process.argv.slice(2);
const rounds = JSON.parse(roundsJson).map((files) => files.map((file) => readFileSync(file)));
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(body) {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}/v1/captures`,
      { method: "POST", agent, headers: { "content-type": "application/cbor", "content-length": body.length } },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode, answer: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const seconds = [];
for (const bodies of rounds) {
  const start = performance.now();
  for (const body of bodies) {
    const { status, answer } = await post(body);
    if (status !== 200 || answer.results.some((result) => result.status !== "recorded")) {
      throw new Error(`batch not recorded: ${status} ${JSON.stringify(answer).slice(0, 400)}`);
    }
  }
  seconds.push((performance.now() - start) / 1000);
}
agent.destroy();
process.stdout.write(JSON.stringify({ seconds }));
