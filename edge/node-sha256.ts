import { createHash } from "node:crypto";
import { useNativeSha256 } from "../src/crypto/sha256.ts";

// Imported for its effect by the Node-side modules that hash image data (the
// camera and the verifier's Node entry): node:crypto outpaces crypto.subtle.digest.
useNativeSha256((data) => new Uint8Array(createHash("sha256").update(data).digest()));
