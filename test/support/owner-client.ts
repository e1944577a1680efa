import { type SessionResponse, SessionClient } from "../../edge/session-client.ts";
import { totpCodeAt } from "../../src/totp/totp-code.ts";

/**
 * A clock for the verifier under test (`serveVerifier(config, 0, { now: clock.now })`,
 * `createWorld(overrides, { now: clock.now })`), starting at the real time.
 * Tests move it instead of waiting, so TOTP steps never depend on the wall clock.
 */
export class TestClock {
  #now: number;
  constructor(start = Date.now()) {
    this.#now = start;
  }
  readonly now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}

export type OwnerResponse = SessionResponse;

let accounts = 0;

/**
 * An owner's browser, for tests: a session client (cookie jar, CSRF token)
 * with the TOTP app (codes from the secret shown at enrolment, at the test
 * clock's time, one step apart).
 */
export class OwnerClient extends SessionClient {
  ownerId = "";
  totpSecret = "";
  recoveryCodes: string[] = [];

  constructor(
    baseUrl: string,
    readonly clock: TestClock,
    readonly email: string,
    readonly password: string,
    readonly displayName: string,
  ) {
    super(baseUrl);
  }

  /** A fresh account (unique email unless given), signed up but not enrolled: its session may only enrol TOTP. */
  static async signUp(baseUrl: string, clock: TestClock, options: { email?: string; displayName?: string; password?: string } = {}): Promise<OwnerClient> {
    const serial = `${process.pid}-${++accounts}-${Math.random().toString(36).slice(2, 8)}`;
    const client = new OwnerClient(
      baseUrl,
      clock,
      options.email ?? `owner-${serial}@example.org`,
      options.password ?? `correct horse battery ${serial}`,
      options.displayName ?? `Owner ${serial}`,
    );
    const signedUp = await client.request("POST", "/v1/account/signup", { email: client.email, displayName: client.displayName, password: client.password });
    client.expect(signedUp, 201, "sign-up");
    client.ownerId = signedUp.body.owner.id;
    return client;
  }

  /** A fresh account with TOTP enrolled and a full session: what every owner route needs. */
  static async signUpAndEnrol(baseUrl: string, clock: TestClock, options: { email?: string; displayName?: string; password?: string } = {}): Promise<OwnerClient> {
    const client = await OwnerClient.signUp(baseUrl, clock, options);
    await client.enrolTotp();
    return client;
  }

  /** Starts and confirms TOTP enrolment with a code from the secret the verifier showed. */
  async enrolTotp(): Promise<void> {
    const enrolment = await this.request("POST", "/v1/account/totp/enrol");
    this.expect(enrolment, 200, "TOTP enrolment");
    this.totpSecret = enrolment.body.base32;
    const confirmed = await this.request("POST", "/v1/account/totp/confirm", { code: this.totpCode() });
    this.expect(confirmed, 200, "TOTP confirmation");
    this.recoveryCodes = confirmed.body.recoveryCodes;
  }

  /** The authenticator app: the code for the clock's time; then the clock moves a step on, so the next code differs. */
  totpCode(): string {
    const code = totpCodeAt(this.totpSecret, this.clock.now());
    this.clock.advance(30_000);
    return code;
  }

  /** Password, then a TOTP code: a full session. */
  async signIn(): Promise<void> {
    const password = await this.request("POST", "/v1/account/signin", { email: this.email, password: this.password });
    this.expect(password, 200, "sign-in (password)");
    const code = await this.request("POST", "/v1/account/signin/code", { code: this.totpCode() });
    this.expect(code, 200, "sign-in (code)");
  }

  async signOut(): Promise<void> {
    this.expect(await this.request("POST", "/v1/account/signout"), 200, "sign-out");
  }

  private expect(response: OwnerResponse, status: number, what: string): void {
    if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  }
}
