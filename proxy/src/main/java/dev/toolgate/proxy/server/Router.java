package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Finds the route for a request; routes are tried in the order they were added. */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    /** The route found and its path parameters; {@code route} is null when nothing matched. */
    /** {@code allowed}: the methods the path does accept, for a 405's {@code Allow} header. */
    public record Match(Route route, Map<String, String> params, Set<HttpMethod> allowed) {
        public boolean pathKnown() {
            return !allowed.isEmpty();
        }
    }

    public Router add(HttpMethod method, String template, Route.Access access, Endpoint endpoint) {
        return add(method, template, access, true, endpoint);
    }

    public Router add(HttpMethod method, String template, Route.Access access, boolean apiKeyHeaderIsGateway, Endpoint endpoint) {
        routes.add(new Route(method, template, access, apiKeyHeaderIsGateway, endpoint));
        return this;
    }

    /** A route no provider shares, where {@code Authorization: Bearer} may carry the gateway key too (MCP clients send it there). */
    public Router addBearerKeyed(HttpMethod method, String template, Route.Access access, Endpoint endpoint) {
        routes.add(new Route(method, template, access, true, true, headers -> true, endpoint));
        return this;
    }

    /** A route taken only by requests whose headers satisfy {@code condition}; others go on to later routes. */
    public Router add(HttpMethod method, String template, Route.Access access, boolean apiKeyHeaderIsGateway,
                      Predicate<HttpHeaders> condition, Endpoint endpoint) {
        routes.add(new Route(method, template, access, apiKeyHeaderIsGateway, condition, endpoint));
        return this;
    }

    /** The routes in the order they are tried. */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * {@code rawPath} is the path as sent, still percent-encoded: it is split first and each segment
     * decoded once, so an encoded {@code /} stays inside its segment.
     */
    public Match find(HttpMethod method, String rawPath, HttpHeaders headers) {
        List<String> segments = Route.split(rawPath).stream().map(Router::decodeSegment).toList();
        Set<HttpMethod> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            if (!route.accepts(headers)) {
                continue;
            }
            Map<String, String> params = route.match(segments);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match(route, params, Set.of(method));
            }
            allowed.add(route.method());
        }
        return new Match(null, Map.of(), allowed);
    }

    /** Percent-decodes one path segment; unlike in a query string, {@code +} in a path is a plus. */
    private static String decodeSegment(String segment) {
        return QueryStringDecoder.decodeComponent(segment.replace("+", "%2B"));
    }
}
