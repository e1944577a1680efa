/** HTTP to the verifier (or the co-signer), with their JSON errors turned into one error type. */
export class VerifierHttpError extends Error {
  override readonly name = "VerifierHttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    service = "verifier",
  ) {
    super(`${service} answered ${status} ${code}: ${message}`);
  }
}

export class VerifierUnreachableError extends Error {
  override readonly name = "VerifierUnreachableError";
}

export async function callVerifier<T>(url: string, init: RequestInit = {}, service = "verifier"): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new VerifierUnreachableError(`cannot reach the ${service} at ${url}: ${(error as Error).message}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // A connection cut mid-answer looks the same as no answer: the caller retries.
    throw new VerifierUnreachableError(`no complete answer from ${url} (${response.status})`);
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } }).error;
    throw new VerifierHttpError(response.status, error?.code ?? "unknown", error?.message ?? response.statusText, service);
  }
  return body as T;
}

export function postJson<T>(url: string, body: unknown): Promise<T> {
  return callVerifier<T>(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}
