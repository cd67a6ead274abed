// Modules the build provides (tools/h5wasm-wasm-file.ts).
declare module 'virtual:h5wasm-wasm-url' {
  /** The address of h5wasm's wasm file in a production build; null on the dev server and in tests. */
  const url: string | null;
  export default url;
}
