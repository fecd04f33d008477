package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/teachtrack/api/internal/db"
)

// errCrossSite answers a request that would act with the session cookie from
// a page of a site the API does not trust.
var errCrossSite = errorf(http.StatusForbidden,
	"This request came from a page of another site and carried your session cookie, so it was refused. "+
		"Reload TeachTrack and try again; if this keeps happening, the site you use must be listed in the API's CORS_ALLOWED_ORIGINS.")

// checkOrigin refuses cross-site request forgery: a mutation (any method but
// GET, HEAD, OPTIONS) authenticated by the session cookie must come from a
// page the API trusts. SameSite=Lax alone lets a sibling subdomain through,
// and any top-level form post in older browsers. A browser tells us where a
// request came from in two headers no page can forge:
//
//   - Origin: trusted when it is in CORS_ALLOWED_ORIGINS or is the API's own
//     origin (its host is the request's Host: /docs "Try it out");
//   - Sec-Fetch-Site: same-origin means the page is on the very origin the
//     browser sent the request to. Through the frontend's Next.js proxy that
//     is the frontend's own origin (the proxy forwards the browser's headers
//     and the cookie, which belongs to that origin).
//
// A cookie mutation with neither header (a pre-2020 browser, a hand-made
// client holding a cookie) is refused: such clients use Authorization:
// Bearer. Bearer requests and anonymous ones are not affected: a cross-site
// page can't make a browser send an Authorization header. Routes that read a
// body also need a JSON content type (decoder), which no cross-site form can
// send without a CORS preflight.
func (u *usersAPI) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalFrom(r.Context())
		if classify(r.Method) == db.Read || p == nil || !p.fromCookie || u.trustedSource(r) {
			next.ServeHTTP(w, r)
			return
		}
		u.fail(w, r, errCrossSite)
	})
}

// trustedSource reports whether the browser says r comes from a trusted page.
func (u *usersAPI) trustedSource(r *http.Request) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		if u.trustedOrigin(origin, r.Host) {
			return true
		}
		// A same-origin fetch through the frontend's proxy carries the
		// frontend's origin, which may be unlisted in development.
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return true
	}
	// Neither header: fall back on the Referer's origin, which browsers
	// that send no Origin still send (unless the page forbids it).
	if ref := r.Header.Get("Referer"); ref != "" {
		if ru, err := url.Parse(ref); err == nil && ru.Scheme != "" && ru.Host != "" {
			return u.trustedOrigin(ru.Scheme+"://"+ru.Host, r.Host)
		}
	}
	return false
}

// trustedOrigin: in CORS_ALLOWED_ORIGINS (config.Load keeps them lower-case,
// scheme://host[:port]), or the origin of host, the API's own.
func (u *usersAPI) trustedOrigin(origin, host string) bool {
	origin = strings.ToLower(origin)
	if origin == "null" {
		return false // sandboxed frames, file: pages, privacy-sensitive redirects
	}
	if slices.Contains(u.cfg.CORSAllowedOrigins, origin) {
		return true
	}
	o, err := url.Parse(origin)
	return err == nil && (o.Scheme == "http" || o.Scheme == "https") && o.Host != "" && strings.EqualFold(o.Host, host)
}
