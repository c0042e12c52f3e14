package dev.toolgate.proxy.dashboard;

import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The dashboard's files, read from the jar once at startup and served from memory: the page, its
 * script, its style sheet and its icon; nothing from the network. Every answer says its exact type
 * and carries an ETag, so a browser revalidates ({@code no-cache}) and gets 304 when nothing
 * changed, and the headers that keep the page from being framed, sniffed or made to run scripts
 * it did not load from here.
 */
final class DashboardAssets {
    /** Scripts and styles only from this gateway, no inline code, nothing framing the page. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final String INDEX = "index.html";
    private static final Map<String, String> TYPES = Map.of(
            INDEX, "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "icon.svg", "image/svg+xml");

    private record Asset(byte[] bytes, String type, String etag) {
    }

    private final Map<String, Asset> assets;

    DashboardAssets() {
        this.assets = Map.copyOf(TYPES.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                entry -> load(entry.getKey(), entry.getValue()))));
    }

    private static Asset load(String name, String type) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard/" + name + " is missing from the jar; rebuild it");
            }
            byte[] bytes = in.readAllBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(bytes, type, "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException("reading dashboard/" + name + " from the jar", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET /dashboard}: the page; it shows the sign-in form itself when there is no session. */
    void page(Exchange exchange) {
        serve(exchange, assets.get(INDEX));
    }

    /** {@code GET /dashboard/assets/:file}. */
    void asset(Exchange exchange) {
        String name = exchange.pathParam("file");
        Asset asset = name.equals(INDEX) ? null : assets.get(name);
        if (asset == null) {
            throw ApiError.notFound("no dashboard file '" + name + "'");
        }
        serve(exchange, asset);
    }

    private static void serve(Exchange exchange, Asset asset) {
        boolean unchanged = asset.etag().equals(exchange.request().headers().get(HttpHeaderNames.IF_NONE_MATCH));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                unchanged ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
                unchanged ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(asset.bytes()));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, asset.type());
        headers.set(HttpHeaderNames.ETAG, asset.etag());
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        securityHeaders(headers);
        exchange.respond(response);
    }

    static void securityHeaders(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
    }
}
