import type { Client } from "@libsql/client";
import { storeThumbnail } from "./db/thumbnails.ts";
import type { Thumbnail } from "./services.ts";

/**
 * Makes the dashboard's thumbnails after a sync has been answered, one photo
 * at a time, and only while no sync is being handled. Decoding a 12-MP JPEG
 * costs several times what verifying it does, so a camera's sync never waits
 * for it, and under a burst of syncs the thumbnails wait for the burst to
 * pass rather than take cores from verification. The queue holds photos in
 * memory, so it is bounded: past the bound, or when the process stops first,
 * a capture is simply recorded without a thumbnail.
 */
export class ThumbnailQueue {
  readonly #pending = new Map<string, { credentialId: string; done: Promise<void> }>();
  #tail: Promise<void> = Promise.resolve();
  #queuedBytes = 0;
  #closed = false;
  #syncsInFlight = 0;
  #idle: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(
    private readonly db: Client,
    private readonly make: (jpeg: Uint8Array) => Promise<Thumbnail>,
    private readonly maxQueuedBytes = 256 * 2 ** 20,
  ) {}

  enqueue(capture: { captureId: string; credentialId: string }, jpeg: Uint8Array): void {
    if (this.#closed) return;
    if (this.#queuedBytes + jpeg.length > this.maxQueuedBytes) {
      console.error(`verifier: thumbnail queue full, capture ${capture.captureId} is recorded without a thumbnail`);
      return;
    }
    this.#queuedBytes += jpeg.length;
    const done = this.#tail.then(async () => {
      try {
        await this.#noSyncInFlight();
        if (this.#closed) return;
        const thumbnail = await this.make(jpeg);
        if (!this.#closed) await storeThumbnail(this.db, capture.captureId, thumbnail);
      } catch (error) {
        // A thumbnail is a convenience for the owner: failing to make or store one never costs the capture.
        console.error(`verifier: no thumbnail for capture ${capture.captureId}`, error);
      } finally {
        this.#queuedBytes -= jpeg.length;
        this.#pending.delete(capture.captureId);
      }
    });
    this.#tail = done;
    this.#pending.set(capture.captureId, { credentialId: capture.credentialId, done });
  }

  /** Marks a sync being handled, until the returned function is called: thumbnails wait for it. */
  syncing(): () => void {
    this.#syncsInFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#syncsInFlight === 0 && this.#idle) {
        this.#idle.resolve();
        this.#idle = null;
      }
    };
  }

  #noSyncInFlight(): Promise<void> {
    if (this.#syncsInFlight === 0 || this.#closed) return Promise.resolve();
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }

  /** Waits for the thumbnails this instance is still making for a camera, so its owner sees them right after a sync. */
  async settled(credentialId: string): Promise<void> {
    await Promise.all([...this.#pending.values()].filter((job) => job.credentialId === credentialId).map((job) => job.done));
  }

  close(): void {
    this.#closed = true;
    this.#idle?.resolve();
  }
}
