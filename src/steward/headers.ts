/**
 * Security headers of the steward page. The content security policy allows scripts, styles and
 * images from Passerelle only (no inline script or style, no third-party origin) and one foreign
 * origin for `fetch`: the identity provider's token endpoint, where the page exchanges its
 * authorization code (the provider must allow Passerelle's origin in CORS, as it does for any
 * browser-based public client). Sign-in itself is a top-level navigation to the provider.
 */
import type { ResponseObject } from '@hapi/hapi';

/**
 * The policy for the page.
 * @param tokenEndpoint - the provider's token endpoint, when sign-in is configured and known
 */
export function contentSecurityPolicy(tokenEndpoint?: string): string {
  const connect = ["'self'", ...(tokenEndpoint ? [new URL(tokenEndpoint).origin] : [])].join(' ');
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", `connect-src ${connect}`,
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'", "manifest-src 'none'",
  ].join('; ');
}

/**
 * Set the page's security headers on a response.
 * @param response - the hapi response
 * @param tokenEndpoint - the provider's token endpoint (see {@link contentSecurityPolicy})
 */
export function secureHeaders(response: ResponseObject, tokenEndpoint?: string): ResponseObject {
  return response
    .header('Content-Security-Policy', contentSecurityPolicy(tokenEndpoint))
    .header('X-Content-Type-Options', 'nosniff')
    // The authorization code arrives in the page's URL: never send it to anyone in a Referer.
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Frame-Options', 'DENY')
    .header('Cross-Origin-Opener-Policy', 'same-origin')
    .header('Cross-Origin-Resource-Policy', 'same-origin')
    .header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}
