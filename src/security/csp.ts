// The Content-Security-Policy of the built app: the page can only talk to its own origin, so a
// user's array has nowhere to go. Used by vite.config.ts (response headers for preview/dev, a
// <meta http-equiv> tag in the built index.html for hosts that cannot set headers) and by the
// journeys that check the page runs under it without a single violation.
//
// Why each source is there:
// - script-src 'self' 'wasm-unsafe-eval': h5wasm and the HDF5 plugin codecs are WebAssembly, which
//   needs 'wasm-unsafe-eval' to compile; nothing uses eval/new Function, and no script is inline.
// - worker-src 'self': the sweep and loader workers and the service worker are same-origin files
//   (no blob: workers).
// - connect-src 'self': fetch/XHR/WebSocket only to this origin (plugin .so files, precaching). No
//   upload is possible: there is no other origin to send to, and form-action 'none' closes forms.
// - style-src 'self': the stylesheet is a file. React's `style` props (swatches, canvas aspect
//   ratios, the charts' tooltip positions) are applied through the CSSOM (element.style), which CSP does not govern,
//   so no 'unsafe-inline' is needed; a `style="..."` attribute parsed from markup would be blocked.
// - img-src 'self': icons only; downloads are <a download href="blob:..."> clicks, which are not
//   image loads, and the heatmaps draw into canvases.
// - frame-ancestors 'none' is only honoured in a header (a <meta> tag ignores it), so the meta
//   variant leaves it out.

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** Directives a <meta http-equiv> policy ignores (browsers warn about them in the console). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

function serialize(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** The policy for a Content-Security-Policy response header. */
export function cspHeader(): string {
  return serialize(CSP_DIRECTIVES);
}

/** The same policy for a <meta http-equiv="Content-Security-Policy"> tag (header-only directives dropped). */
export function cspMeta(): string {
  return serialize(Object.fromEntries(Object.entries(CSP_DIRECTIVES).filter(([k]) => !HEADER_ONLY.has(k))));
}

/**
 * The dev server's policy: Vite injects an inline module script (React refresh preamble) and inline
 * <style> tags for CSS, and its HMR client opens a WebSocket to the dev server. Production builds
 * never use this one.
 */
export function cspDevHeader(): string {
  return serialize({
    ...CSP_DIRECTIVES,
    'script-src': [...CSP_DIRECTIVES['script-src']!, "'unsafe-inline'"],
    'style-src': [...CSP_DIRECTIVES['style-src']!, "'unsafe-inline'"],
    'connect-src': [...CSP_DIRECTIVES['connect-src']!, 'ws:', 'wss:'],
  });
}
