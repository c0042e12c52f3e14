package dev.toolgate.proxy.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.Role;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.GatewayKeys;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /dashboard/sign-in} (a form with the admin key, never in the URL),
 * {@code POST /dashboard/sign-out} and {@code GET /dashboard/api/session}. An agent key cannot sign
 * in: the dashboard is for the people who govern agents.
 */
final class SignInEndpoints {
    private static final Logger log = LoggerFactory.getLogger(SignInEndpoints.class);
    private static final String FORM = "application/x-www-form-urlencoded";

    private final GatewayKeys keys;
    private final SessionStore sessions;
    private final SessionCookie cookie;

    SignInEndpoints(GatewayKeys keys, SessionStore sessions, SessionCookie cookie) {
        this.keys = keys;
        this.sessions = sessions;
        this.cookie = cookie;
    }

    void signIn(Exchange exchange) {
        refuseOtherSites(exchange);
        String contentType = exchange.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(FORM)) {
            throw new ApiError(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
                    "sign in with a form (Content-Type: " + FORM + ") holding the admin key in the field 'key'");
        }
        String body = exchange.request().content().toString(StandardCharsets.UTF_8);
        List<String> values = new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters().get("key");
        String key = values == null || values.isEmpty() ? "" : values.get(0).trim();
        if (key.isEmpty()) {
            throw ApiError.missingField("key");
        }
        Principal principal = keys.authenticate(key).orElseThrow(() -> new ApiError(HttpResponseStatus.UNAUTHORIZED,
                "INVALID_API_KEY", "that is not a key of this gateway"));
        if (principal.role() != Role.ADMIN) {
            log.info("dashboard sign-in refused for agent key '{}': the dashboard needs an admin key", principal.name());
            throw new ApiError(HttpResponseStatus.FORBIDDEN, "ADMIN_KEY_REQUIRED",
                    "'" + principal.name() + "' is an agent key; the dashboard needs an admin key");
        }
        Session session = sessions.signIn(principal);
        log.info("dashboard sign-in: admin key '{}' (workspace {})", principal.name(), principal.workspace());
        FullHttpResponse response = Exchange.jsonResponse(HttpResponseStatus.OK, Json.bytes(view(session.admin(), session)));
        response.headers().set(HttpHeaderNames.SET_COOKIE, cookie.issue(session.id()));
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        exchange.respond(response);
    }

    /** Ends the session on the server (the cookie alone would outlive a copied id) and tells the browser to drop it. */
    void signOut(Exchange exchange) {
        SessionCookie.read(exchange.request().headers()).ifPresent(sessions::signOut);
        FullHttpResponse response = Exchange.jsonResponse(HttpResponseStatus.OK,
                Json.bytes(Json.object().put("signed_in", false)));
        response.headers().set(HttpHeaderNames.SET_COOKIE, cookie.clear());
        exchange.respond(response);
    }

    /** Who is signed in and the session's CSRF token, so a reloaded page carries on without a new sign-in. */
    void session(Exchange exchange) {
        Optional<Session> session = SessionCookie.read(exchange.request().headers()).flatMap(sessions::find);
        FullHttpResponse response = Exchange.jsonResponse(HttpResponseStatus.OK,
                Json.bytes(view(exchange.principal(), session.orElse(null))));
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        exchange.respond(response);
    }

    private static ObjectNode view(Principal admin, Session session) {
        ObjectNode json = Json.object();
        json.put("signed_in", true);
        json.put("admin", admin.name());
        json.put("workspace", admin.workspace());
        if (session != null) {
            json.put("csrf_token", session.csrfToken());
            json.put("signed_in_at", session.signedInAt().toString());
        }
        return json;
    }

    /**
     * A sign-in posted from another site's page is refused (login CSRF: signing the victim's
     * browser in as someone else). Browsers say where a form came from in {@code Origin}.
     */
    private static void refuseOtherSites(Exchange exchange) {
        String origin = exchange.request().headers().get(HttpHeaderNames.ORIGIN);
        String host = exchange.request().headers().get(HttpHeaderNames.HOST);
        if (origin == null) {
            return;  // not sent by a browser's cross-site form (browsers send Origin on every POST)
        }
        String originHost;
        try {
            originHost = URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            originHost = null;
        }
        if (originHost == null || !originHost.equalsIgnoreCase(host)) {
            throw new ApiError(HttpResponseStatus.FORBIDDEN, "CROSS_SITE_SIGN_IN",
                    "sign in from the gateway's own dashboard page (" + origin + " is another site)");
        }
    }
}
