// The name h5wasm's start-up (as patched by the build, tools/h5wasm-wasm-file.ts) calls for extra
// module settings; the sweep worker defines it (src/hdf5/wasm-module.ts). Shared by both sides.
export const H5WASM_ARGS_HOOK = '__h5squeezeH5wasmArgs';
