export interface BuiltFiles {
  executable: string;
  parts: string;
  /** The build hash both files carry. */
  build: string;
  database: string;
}
export function builtFiles(distDir: string): BuiltFiles;
export function copyExecutable(distDir: string, binDir: string, exeName: string): string;
