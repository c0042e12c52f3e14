package dev.toolgate.proxy.dashboard;

import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.GatewayKeys;
import dev.toolgate.proxy.server.RequestStep;
import dev.toolgate.proxy.server.Route;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Optional;
import java.util.Set;

/**
 * Signs in a management request by its dashboard session cookie, before {@code Authentication}
 * looks for a key: the session's admin becomes the exchange's principal. A request that changes
 * state (POST, PUT, PATCH, DELETE) must also carry the session's CSRF token in
 * {@value #CSRF_HEADER}, else 403 {@code CSRF_TOKEN_INVALID}. A request with a gateway key is the
 * key's, cookie or not; public routes and paths outside {@code /api/} and {@code /dashboard/} are
 * untouched (the session is for the dashboard and the management API it calls, not for models).
 */
public final class DashboardSessions implements RequestStep {
    public static final String CSRF_HEADER = "x-csrf-token";
    private static final Set<HttpMethod> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final SessionStore sessions;
    private final GatewayKeys keys;

    DashboardSessions(SessionStore sessions, GatewayKeys keys) {
        this.sessions = sessions;
        this.keys = keys;
    }

    @Override
    public void handle(Exchange exchange, Route route, Chain next) throws Exception {
        if (route.access() != Route.Access.PUBLIC && managementPath(exchange.path()) && !keyPresented(exchange, route)) {
            Optional<String> id = SessionCookie.read(exchange.request().headers());
            if (id.isPresent()) {
                Session session = sessions.find(id.get()).orElseThrow(() -> new ApiError(HttpResponseStatus.UNAUTHORIZED,
                        "SESSION_EXPIRED", "the dashboard session has ended (signed out, idle too long, or the gateway restarted);"
                        + " sign in again"));
                if (!keys.stillValid(session.admin())) {
                    // The admin's key was removed from the config (a reload): its sessions end with it.
                    sessions.signOut(session.id());
                    throw new ApiError(HttpResponseStatus.UNAUTHORIZED, "SESSION_EXPIRED",
                            "the key this dashboard session was signed in with is no longer configured; sign in again");
                }
                if (!SAFE_METHODS.contains(exchange.request().method())
                        && !session.csrfMatches(exchange.request().headers().get(CSRF_HEADER))) {
                    throw new ApiError(HttpResponseStatus.FORBIDDEN, "CSRF_TOKEN_INVALID", "a request that changes something"
                            + " must carry the session's CSRF token in the " + CSRF_HEADER + " header");
                }
                exchange.principal(session.admin());
            }
        }
        next.proceed(exchange, route);
    }

    private static boolean managementPath(String path) {
        return path.startsWith("/api/") || path.startsWith("/dashboard/");
    }

    private static boolean keyPresented(Exchange exchange, Route route) {
        return GatewayKeys.presented(exchange.request().headers(), exchange.query(), route.apiKeyHeaderIsGateway(),
                route.bearerIsGateway()).isPresent();
    }
}
