package dev.toolgate.proxy.upstream.internal;

import java.net.URI;
import java.util.Locale;

/** Where a pooled upstream connection goes: one pool per event loop and endpoint. */
public record UpstreamEndpoint(boolean tls, String host, int port) {

    public static UpstreamEndpoint of(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("https");
        if (!tls && !scheme.equals("http")) {
            throw new IllegalArgumentException("upstream URL must be http or https: " + uri);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        return new UpstreamEndpoint(tls, uri.getHost(), port);
    }

    /** The Host header value: the port only when it is not the scheme's default. */
    public String hostHeader() {
        boolean defaultPort = tls ? port == 443 : port == 80;
        return defaultPort ? host : host + ":" + port;
    }
}
