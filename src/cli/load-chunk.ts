import { compileFunction } from 'node:vm';

/**
 * Evaluate a subcommand's bundled CommonJS source the first time it is needed.
 *
 * Why: the executable is one file, and V8 pre-parses every function in a file it loads, called
 * or not. Report rendering (map data, d3), the firewall runner (execa) and zod are ~330 KB that
 * an alert never uses; as code they cost about 9 ms of start-up on every invocation (measured:
 * `--version` 60 ms user vs 51 ms without them, `node -e 0` 44 ms). Kept as string literals,
 * which the scanner skips over, they cost nearly nothing until a path compiles them here.
 */
export function loadChunk(name: string, source: string): unknown {
  const module = { exports: {} as unknown };
  const factory = compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: `${__filename}#${name}` });
  factory(module.exports, require, module, __filename, __dirname);
  return module.exports;
}
