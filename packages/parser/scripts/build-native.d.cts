// Types of the build script entry (`@jato/parser/build-native`): it runs on require and exports nothing.
export {};
