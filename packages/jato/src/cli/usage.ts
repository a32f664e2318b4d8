/** The `jato --help` text. */
export const USAGE = `Usage:
  jato serve <entry> [--port N] [--host H] [--workers N|auto]
  jato dev <entry> [--port N] [--host H] [--watch DIR]...
  jato info
  jato build-native [--parser]
  jato --help

Commands:
  serve   Import <entry> (its default export, or export \`app\`, is a jato App) and call
          app.listen({ port, host, workers }). Prints "jato listening on http://HOST:PORT".
  dev     Reload mode: run \`jato serve <entry>\` in a child process, restart it when a file under
          the watched directories changes (default: the entry's directory).
  info    What to paste into a bug report: runtime and platform, the transport 'auto' picks here
          and why, where the native addon comes from (prebuilt package / local build), SIMD level.
  build-native
          Build the native server addon on this machine, where no prebuilt package matches
          (needs make, a C++ compiler and python3; --parser also builds @jato/parser's addon).

Options:
  -p, --port N       TCP port (default: $PORT or 8080; 0 picks a free one)
  -H, --host H       interface to bind (default: $HOST or 0.0.0.0)
  -w, --workers N    worker processes sharing the port, or 'auto' (default: $WORKERS or 1; serve only)
      --watch DIR    directory to watch in dev mode (repeatable)
  -h, --help         show this help

TypeScript entries (.ts, .mts, .cts) run through tsx when it can be resolved from the entry's
directory (npm i -D tsx@4), else through Node's own type stripping (Node 22.6+; a .ts file's module
format is what the nearest package.json's "type" says, .mts is always ESM). Node 20 needs tsx.
`;
