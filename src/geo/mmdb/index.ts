export { openMmdb } from './lazy-reader.js';
export type { MmdbHit, MmdbMetadata, MmdbReader } from './types.js';
