/** A refusal from the verifier: its stable code (docs/api.md) and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/**
 * JSON to and from the verifier of the page's own origin. The session cookie
 * travels by itself (SameSite=Strict); changes carry the session's CSRF token,
 * which every answer that starts or moves a session renews.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: "same-origin", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch {
    throw new ApiError(0, "unreachable", "The verifier cannot be reached. Check your connection and try again.");
  }
  const answer = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string }; session?: { csrfToken?: string } } | null;
  if (typeof answer?.session?.csrfToken === "string") csrfToken = answer.session.csrfToken;
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new ApiError(
      response.status,
      answer?.error?.code ?? "unknown",
      answer?.error?.message ?? response.statusText,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    );
  }
  return answer as T;
}
