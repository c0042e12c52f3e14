package dev.toolgate.proxy.upstream;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Which headers cross the gateway, in each direction (RFC 9110 §7.6.1: hop-by-hop headers never do).
 * Names are compared ignoring case, as HTTP compares them, on the decoder's own name objects: every
 * request runs this twice, so it copies no name into a String or a lower-cased set.
 */
public final class ForwardedHeaders {
    private static final List<AsciiString> HOP_BY_HOP = names(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    /**
     * Gateway credentials, and {@code expect}: the gateway already answered any 100-continue and
     * sends the whole body at once.
     */
    private static final List<AsciiString> GATEWAY_ONLY = names("x-toolgate-key", "expect");

    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");

    private ForwardedHeaders() {
    }

    /**
     * Headers for the upstream request. On a route where {@code x-api-key} carries the gateway key
     * it is dropped. A configured provider key replaces the client's credential (as a Bearer token
     * or as {@code x-api-key}); otherwise the client's goes through.
     */
    public static HttpHeaders toUpstream(HttpHeaders client, ProviderRoute route) {
        HttpHeaders out = new DefaultHttpHeaders();
        List<String> listed = listedInConnection(client);
        boolean dropApiKey = route.apiKeyHeaderIsGateway();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> headers = client.iteratorCharSequence(); headers.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = headers.next();
            CharSequence name = header.getKey();
            if (isOneOf(name, HOP_BY_HOP) || isOneOf(name, listed) || isOneOf(name, GATEWAY_ONLY)
                    || (dropApiKey && X_API_KEY.contentEqualsIgnoreCase(name))) {
                continue;
            }
            out.add(name, header.getValue());
        }
        if (route.hasProviderKey()) {
            if (route.auth() == ProviderRoute.Auth.BEARER) {
                out.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + route.providerKey());
            } else {
                // The client's own credential must not travel beside the configured one (Anthropic SDKs may send a Bearer token).
                out.remove(HttpHeaderNames.AUTHORIZATION);
                out.set(X_API_KEY, route.providerKey());
            }
        }
        return out;
    }

    /** Headers for the client's response; framing is the gateway's own. */
    public static HttpHeaders toClient(HttpHeaders upstream, boolean keepContentLength) {
        HttpHeaders out = new DefaultHttpHeaders();
        List<String> listed = listedInConnection(upstream);
        for (Iterator<Map.Entry<CharSequence, CharSequence>> headers = upstream.iteratorCharSequence(); headers.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = headers.next();
            CharSequence name = header.getKey();
            boolean contentLength = HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name);
            if (contentLength ? !keepContentLength : isOneOf(name, HOP_BY_HOP) || isOneOf(name, listed)) {
                continue;
            }
            out.add(name, header.getValue());
        }
        return out;
    }

    /** The names a message lists in its own Connection header: hop-by-hop too. */
    private static List<String> listedInConnection(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return List.of();
        }
        List<String> listed = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                listed.add(token.trim());
            }
        }
        return listed;
    }

    private static boolean isOneOf(CharSequence name, List<? extends CharSequence> names) {
        for (CharSequence candidate : names) {
            if (AsciiString.contentEqualsIgnoreCase(candidate, name)) {
                return true;
            }
        }
        return false;
    }

    private static List<AsciiString> names(String... names) {
        return Stream.of(names).map(AsciiString::cached).toList();
    }
}
