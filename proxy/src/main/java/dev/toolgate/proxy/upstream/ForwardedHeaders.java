package dev.toolgate.proxy.upstream;

import dev.toolgate.proxy.model.ProviderRoute;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Which headers cross the gateway, in each direction (RFC 9110 §7.6.1: hop-by-hop headers never do). */
public final class ForwardedHeaders {
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    /**
     * Gateway credentials, and {@code expect}: the gateway already answered any 100-continue and
     * sends the whole body at once.
     */
    private static final Set<String> GATEWAY_ONLY = Set.of("x-toolgate-key", "expect");

    private ForwardedHeaders() {
    }

    /**
     * Headers for the upstream request. On a route where {@code x-api-key} carries the gateway key
     * it is dropped. A configured provider key replaces the client's credential (as a Bearer token
     * or as {@code x-api-key}); otherwise the client's goes through.
     */
    public static HttpHeaders toUpstream(HttpHeaders client, ProviderRoute route) {
        HttpHeaders out = new DefaultHttpHeaders();
        Set<String> dropped = droppedBy(client);
        boolean dropApiKey = route.apiKeyHeaderIsGateway();
        for (Map.Entry<String, String> header : client) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (dropped.contains(name) || GATEWAY_ONLY.contains(name) || (dropApiKey && name.equals("x-api-key"))) {
                continue;
            }
            out.add(header.getKey(), header.getValue());
        }
        if (route.hasProviderKey()) {
            if (route.auth() == ProviderRoute.Auth.BEARER) {
                out.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + route.providerKey());
            } else {
                // The client's own credential must not travel beside the configured one (Anthropic SDKs may send a Bearer token).
                out.remove(HttpHeaderNames.AUTHORIZATION);
                out.set("x-api-key", route.providerKey());
            }
        }
        return out;
    }

    /** Headers for the client's response; framing is the gateway's own. */
    public static HttpHeaders toClient(HttpHeaders upstream, boolean keepContentLength) {
        HttpHeaders out = new DefaultHttpHeaders();
        Set<String> dropped = droppedBy(upstream);
        for (Map.Entry<String, String> header : upstream) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            boolean contentLength = name.equals("content-length");
            if (contentLength ? !keepContentLength : dropped.contains(name)) {
                continue;
            }
            out.add(header.getKey(), header.getValue());
        }
        return out;
    }

    /** Hop-by-hop names plus any the message lists in its own Connection header. */
    private static Set<String> droppedBy(HttpHeaders headers) {
        Set<String> dropped = new HashSet<>(HOP_BY_HOP);
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                dropped.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        return dropped;
    }
}
