/**
 * The owner's browser in the demo: what a dashboard page does over HTTP. It
 * keeps the session cookie, and echoes the session's CSRF token in
 * X-CSRF-Token on every request, which state-changing ones need
 * (docs/api.md, "Sessions, cookies and CSRF").
 */
export class OwnerBrowser {
  readonly #cookies = new Map<string, string>();
  #csrfToken: string | undefined;

  constructor(readonly baseUrl: string) {}

  get<T>(path: string): Promise<T> {
    return this.#send<T>("GET", path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.#send<T>("POST", path, body);
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (this.#csrfToken !== undefined) headers["x-csrf-token"] = this.#csrfToken;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    this.#remember(response.headers.getSetCookie());
    const answer = (await response.json()) as T & { session?: { csrfToken: string }; error?: { code: string; message: string } };
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${answer.error?.code}: ${answer.error?.message}`);
    // Every answer that starts or moves a session names its new CSRF token.
    if (answer.session) this.#csrfToken = answer.session.csrfToken;
    return answer;
  }

  #remember(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";");
      const separator = pair!.indexOf("=");
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      if (value === "" || attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute))) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
