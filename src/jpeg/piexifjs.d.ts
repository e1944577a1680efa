// The part of piexifjs 1.0.x that exif-record.ts uses. piexifjs speaks "binary
// strings": one UTF-16 code unit per byte, 0x00–0xFF.
declare module "piexifjs" {
  /** ASCII and UNDEFINED values are binary strings; numeric types are numbers, arrays or [numerator, denominator] pairs. */
  export type ExifValue = string | number | number[] | number[][];

  /** One IFD, keyed by tag number. */
  export type ExifIfd = Record<number, ExifValue>;

  export interface ExifDict {
    "0th": ExifIfd;
    Exif: ExifIfd;
    GPS: ExifIfd;
    Interop: ExifIfd;
    "1st": ExifIfd;
    /** The thumbnail JPEG as a binary string. */
    thumbnail: string | null;
  }

  interface Piexif {
    /** Accepts a whole JPEG, or an APP1 payload starting with "Exif\0\0". Tags piexifjs does not know are dropped. */
    load(data: string): ExifDict;
    /** Returns an APP1 payload: "Exif\0\0" then a big-endian TIFF structure. */
    dump(exif: ExifDict): string;
  }

  const piexif: Piexif;
  export default piexif;
}
