# Herald in front of its web processes: Varnish 7.1 (Debian `varnish`) with the xkey
# vmod (Debian `varnish-modules`).
#
# - Public pages are cached for their s-maxage and purged by key: Herald sends
#   `PURGE /` with an `xkey-purge: story-42 ed-1-home …` header when a story changes.
# - Stale pages are served while the web processes are down or restarting (grace).
# - Never cached: errors, /desk/, anything but GET/HEAD, requests with a session,
#   responses that set a cookie or are private/no-store, the keyed API.
#
# The site's own part lives in backends.vcl beside this file (see
# deploy/varnish/backends.vcl): the web backends, the director `web` and the
# `purgers` ACL. Start varnishd with the parameters of varnishd.params beside this
# file (deploy/systemd/varnish.service.d-herald.conf does), e.g.
#   varnishd -a :6081 -f /etc/varnish/herald.vcl $VARNISHD_PARAMS
vcl 4.1;

import directors;
import std;
import xkey;

include "./backends.vcl";

sub vcl_init {
    call herald_backends;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # xkey-purge drops the objects; xkey-softpurge only expires them, so that
        # they are still served while the backend is down (grace).
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "PURGE needs an xkey-purge or xkey-softpurge header"));
        }
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    set req.backend_hint = web.backend();

    # While the web processes answer, a stale page is served for at most the
    # stale-while-revalidate window (and refreshed behind it); while they are down,
    # for the whole grace kept below.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 300s;
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The newsroom, and anyone with a session (a logged-in editor anywhere).
    if (req.url ~ "^/desk(/|$)" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # The syndication API answers per partner key.
    if (req.http.Authorization || req.http.X-Api-Key) {
        return (pass);
    }
    # Public pages are the same for everyone: cookies (analytics, a CSRF token from
    # an earlier form) do not change them and must not split the cache.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Only what Herald marks public for shared caches, and never an error.
    if (bereq.uncacheable) {
        return (deliver);
    }
    if ((beresp.status != 200 && beresp.status != 410)
        || beresp.http.Set-Cookie
        || beresp.http.Cache-Control !~ "public"
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)"
        || beresp.http.Vary ~ "(?i)cookie") {
        # Remember for a short while that this URL is not cacheable (hit-for-miss).
        set beresp.ttl = 10s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # TTL comes from s-maxage. Keep the object long after it, to serve while the
    # backend is down (req.grace above limits it while the backend is healthy).
    set beresp.grace = 6h;
    set beresp.keep = 1h;
    return (deliver);
}

sub vcl_backend_error {
    # A failed fetch is never stored; the client gets a short 503.
    set beresp.ttl = 0s;
    set beresp.uncacheable = true;
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for this cache; the browser's max-age stays as Herald set it.
    unset resp.http.xkey;
}
