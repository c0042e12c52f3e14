package dev.toolgate.proxy.dashboard;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.net.URI;
import java.util.Optional;

/**
 * The session id's cookie: {@code HttpOnly} (no script reads it), {@code SameSite=Strict} (no other
 * site's page sends it), {@code Path=/} (the page and the management API both need it), and
 * {@code Secure} when the gateway's public URL is https. No {@code Max-Age}: it ends with the
 * browser, or sooner on the server.
 */
final class SessionCookie {
    static final String NAME = "toolgate_session";

    private final boolean secure;

    SessionCookie(URI publicUrl) {
        this.secure = publicUrl != null && "https".equalsIgnoreCase(publicUrl.getScheme());
    }

    /** The session id the request carries, if any. */
    static Optional<String> read(HttpHeaders headers) {
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie cookie : ServerCookieDecoder.STRICT.decode(header)) {
                if (cookie.name().equals(NAME) && !cookie.value().isEmpty()) {
                    return Optional.of(cookie.value());
                }
            }
        }
        return Optional.empty();
    }

    /** The {@code Set-Cookie} value that starts a session. */
    String issue(String sessionId) {
        return ServerCookieEncoder.STRICT.encode(cookie(sessionId));
    }

    /** The {@code Set-Cookie} value that makes the browser forget the session. */
    String clear() {
        DefaultCookie cookie = cookie("");
        cookie.setMaxAge(0);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    private DefaultCookie cookie(String value) {
        DefaultCookie cookie = new DefaultCookie(NAME, value);
        cookie.setHttpOnly(true);
        cookie.setSecure(secure);
        cookie.setPath("/");
        cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
        return cookie;
    }
}
