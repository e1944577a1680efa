export interface SessionResponse {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * What an owner's browser does for the verifier's owner API over fetch: keep
 * the session cookie, and echo the session's CSRF token in X-CSRF-Token
 * (docs/api.md, "Sessions, cookies and CSRF"). Every answer that starts or
 * moves a session names its new token, so the client follows it.
 */
export class SessionClient {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(readonly baseUrl: string) {}

  /** A JSON request (or none) with this client's cookies and CSRF token. */
  request(method: string, path: string, jsonBody?: unknown, headers: Record<string, string> = {}): Promise<SessionResponse> {
    if (jsonBody === undefined) return this.send(method, path, { headers });
    return this.send(method, path, { body: JSON.stringify(jsonBody), headers: { "content-type": "application/json", ...headers } });
  }

  /** Any body and headers, with this client's cookies and CSRF token (a header given here wins). */
  async send(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<SessionResponse> {
    const sent: Record<string, string> = {};
    if (this.cookies.size > 0) sent.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (this.csrfToken !== undefined) sent["x-csrf-token"] = this.csrfToken;
    Object.assign(sent, init.headers);
    const response = await fetch(new URL(path, this.baseUrl), { method, headers: sent, ...(init.body === undefined ? {} : { body: init.body }) });
    this.#remember(response.headers.getSetCookie());
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get("content-type") ?? "").startsWith("application/json")) body = JSON.parse(text);
    const csrf = (body as { session?: { csrfToken?: unknown } } | null)?.session?.csrfToken;
    if (typeof csrf === "string") this.csrfToken = csrf;
    return { status: response.status, body, headers: response.headers };
  }

  #remember(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";");
      const separator = pair!.indexOf("=");
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
