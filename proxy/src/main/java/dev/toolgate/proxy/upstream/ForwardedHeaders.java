package dev.toolgate.proxy.upstream;

import dev.toolgate.proxy.model.ProviderRoute;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Which headers cross the gateway, in each direction (RFC 9110 §7.6.1: hop-by-hop headers never do). */
public final class ForwardedHeaders {
    private static final Set<String> HOP_BY_HOP = ignoringCase(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    /**
     * Gateway credentials, and {@code expect}: the gateway already answered any 100-continue and
     * sends the whole body at once.
     */
    private static final Set<String> GATEWAY_ONLY = ignoringCase("x-toolgate-key", "expect");

    private ForwardedHeaders() {
    }

    /**
     * Headers for the upstream request. On a route where {@code x-api-key} carries the gateway key
     * it is dropped. A configured provider key replaces the client's credential (as a Bearer token
     * or as {@code x-api-key}); otherwise the client's goes through.
     */
    public static HttpHeaders toUpstream(HttpHeaders client, ProviderRoute route) {
        HttpHeaders out = new DefaultHttpHeaders();
        Set<String> listed = listedInConnection(client);
        boolean dropApiKey = route.apiKeyHeaderIsGateway();
        for (Map.Entry<String, String> header : client) {
            String name = header.getKey();
            if (HOP_BY_HOP.contains(name) || listed.contains(name) || GATEWAY_ONLY.contains(name)
                    || (dropApiKey && name.equalsIgnoreCase("x-api-key"))) {
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
        Set<String> listed = listedInConnection(upstream);
        for (Map.Entry<String, String> header : upstream) {
            String name = header.getKey();
            boolean contentLength = name.equalsIgnoreCase("content-length");
            if (contentLength ? !keepContentLength : HOP_BY_HOP.contains(name) || listed.contains(name)) {
                continue;
            }
            out.add(header.getKey(), header.getValue());
        }
        return out;
    }

    /** The names a message lists in its own Connection header, hop-by-hop too; any case matches. */
    private static Set<String> listedInConnection(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
        if (values.isEmpty()) {
            return Set.of();
        }
        Set<String> listed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String value : values) {
            for (String token : value.split(",")) {
                listed.add(token.trim());
            }
        }
        return listed;
    }

    /**
     * Header names are case-insensitive (RFC 9110 §5.1): a set that compares them so needs no
     * lower-cased copy of each name a message carries.
     */
    private static Set<String> ignoringCase(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(List.of(names));
        return Collections.unmodifiableSet(set);
    }
}
