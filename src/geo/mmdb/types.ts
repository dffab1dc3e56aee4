/** What a MaxMind DB file says about itself, from the metadata map at its tail. */
export interface MmdbMetadata {
  databaseType: string;
  /** Seconds since the epoch. */
  buildEpoch: number;
  ipVersion: 4 | 6;
  nodeCount: number;
  recordSize: number;
  languages: string[];
  description: Record<string, string>;
  binaryFormatMajorVersion: number;
  binaryFormatMinorVersion: number;
}

/** One lookup's answer: the decoded data record (null when not found) and the prefix length that matched. */
export interface MmdbHit {
  record: unknown;
  prefixLength: number;
}

/** A database opened lazily: it holds a file descriptor and reads only what each lookup touches. */
export interface MmdbReader {
  readonly path: string;
  readonly metadata: MmdbMetadata;
  lookup(ip: string): MmdbHit;
  close(): void;
}
