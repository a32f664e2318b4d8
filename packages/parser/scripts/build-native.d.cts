// Types of `@jato/parser/build-native` (scripts/build-native.cjs): the explicit local build of jato's addons.

/**
 * Builds the addon of each installed package directory with node-gyp (toolchain checked first) and
 * prints one line per package through `log`. Never throws; true when every build succeeded.
 */
export declare function buildAddons(dirs: string[], log?: (line: string) => void): boolean;
/** The installed directories of the named packages, resolved from `from` (default: the current directory). */
export declare function resolvePackages(names: string[], from?: string): string[];
/** `linux-x64-gnu`, `linux-x64-musl`, `darwin-arm64`, `win32-x64`: the prebuilt packages' suffix. */
export declare function platformKey(): string;
/** The development build of the package in the current directory (fails loudly). */
export declare function devBuild(): void;
