import { SessionClient } from "../edge/session-client.ts";

/**
 * The owner's browser in the demo: a session client whose refusals stop the
 * demo with the verifier's error code, since every step must succeed.
 */
export class OwnerBrowser extends SessionClient {
  get<T>(path: string): Promise<T> {
    return this.#expectOk<T>("GET", path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.#expectOk<T>("POST", path, body);
  }

  async #expectOk<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    if (response.status >= 400) {
      const error = (response.body as { error?: { code: string; message: string } }).error;
      throw new Error(`${method} ${path}: ${response.status} ${error?.code}: ${error?.message}`);
    }
    return response.body as T;
  }
}
