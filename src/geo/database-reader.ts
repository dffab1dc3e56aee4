/** The part of a MaxMind DB reader that a lookup needs (implemented lazily by `./mmdb/`). */
export interface DatabaseReader {
  readonly path: string;
  readonly metadata: { databaseType: string; buildEpoch: number; ipVersion: 4 | 6 };
  lookup(ip: string): { record: unknown; prefixLength: number };
  close(): void;
}

export type OpenDatabase = (path: string) => DatabaseReader;
