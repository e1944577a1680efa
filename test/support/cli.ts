import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

/** Runs the real `snapseal` CLI in a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "bin", "snapseal.mjs"), ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Starts the real CLI and lets a test act on its output while it runs (a
 * command that waits, like `snapseal device pair`): `output(pattern)` resolves
 * with the first match once the child has printed it.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [join(root, "bin", "snapseal.mjs"), ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiting: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    for (const wait of [...waiting]) {
      const match = stdout.match(wait.pattern);
      if (match) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve(match);
      }
    }
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return {
    exited,
    output(pattern: RegExp): Promise<RegExpMatchArray> {
      const match = stdout.match(pattern);
      if (match) return Promise.resolve(match);
      // Should the child exit without printing it, the test fails with what it did print.
      return Promise.race([
        new Promise<RegExpMatchArray>((resolve) => waiting.push({ pattern, resolve })),
        exited.then(({ code }) => Promise.reject(new Error(`the CLI exited (${code}) without printing ${pattern}:\n${stdout}\n${stderr}`))),
      ]);
    },
  };
}
