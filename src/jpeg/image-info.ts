import { ProvenanceError } from "../errors.ts";
import { readJpegLayout } from "./segments.ts";

export interface ImageInfo {
  readonly width: number;
  readonly height: number;
  /** 1 for grayscale, 3 for YCbCr, 4 for CMYK. */
  readonly components: number;
  readonly progressive: boolean;
}

/** SOF2, SOF6, SOF10 and SOF14: the progressive coding processes of T.81. */
const PROGRESSIVE_FRAME_MARKERS: ReadonlySet<number> = new Set([0xc2, 0xc6, 0xca, 0xce]);

/** Reads the frame header; walks the whole file first so a damaged JPEG is refused here too. */
export function readImageInfo(jpeg: Uint8Array): ImageInfo {
  const { frame } = readJpegLayout(jpeg);
  // Frame header after the length field: precision(1) height(2) width(2) components(1), then 3 bytes per component.
  const at = frame.offset + 4;
  const components = frame.length >= 10 ? jpeg[at + 5]! : 0;
  if (components === 0 || frame.length !== 10 + 3 * components) {
    throw new ProvenanceError("image_malformed", `frame header of ${frame.length} bytes for ${components} components`);
  }
  const height = (jpeg[at + 1]! << 8) | jpeg[at + 2]!;
  const width = (jpeg[at + 3]! << 8) | jpeg[at + 4]!;
  // A zero height is legal T.81 (a later DNL marker gives it) but no camera writes it and decoders rarely accept it.
  if (width === 0 || height === 0) {
    throw new ProvenanceError("image_malformed", `frame header declares ${width}x${height} pixels`);
  }
  return { width, height, components, progressive: PROGRESSIVE_FRAME_MARKERS.has(frame.marker) };
}
