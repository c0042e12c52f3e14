package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds the route for a request; routes are tried in the order they were added. A request is
 * matched only against the routes its first path segment can take (the table has about ninety,
 * and the model routes come last), through an index rebuilt when a route is added.
 */
public final class Router {
    private final List<Route> routes = new ArrayList<>();
    private volatile Index index;

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
        return add(new Route(method, template, access, apiKeyHeaderIsGateway, endpoint));
    }

    /** A route no provider shares, where {@code Authorization: Bearer} may carry the gateway key too (MCP clients send it there). */
    public Router addBearerKeyed(HttpMethod method, String template, Route.Access access, Endpoint endpoint) {
        return add(new Route(method, template, access, true, true, headers -> true, endpoint));
    }

    /** A route taken only by requests whose headers satisfy {@code condition}; others go on to later routes. */
    public Router add(HttpMethod method, String template, Route.Access access, boolean apiKeyHeaderIsGateway,
                      Predicate<HttpHeaders> condition, Endpoint endpoint) {
        return add(new Route(method, template, access, apiKeyHeaderIsGateway, condition, endpoint));
    }

    private synchronized Router add(Route route) {
        routes.add(route);
        index = null;
        return this;
    }

    /** The routes in the order they are tried. */
    public synchronized List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * {@code rawPath} is the path as sent, still percent-encoded: it is split first and each segment
     * decoded once, so an encoded {@code /} stays inside its segment.
     */
    public Match find(HttpMethod method, String rawPath, HttpHeaders headers) {
        List<String> raw = Route.split(rawPath);
        List<String> segments = new ArrayList<>(raw.size());
        for (String segment : raw) {
            segments.add(decodeSegment(segment));
        }
        Set<HttpMethod> allowed = null;
        for (Route route : index().candidates(segments.isEmpty() ? null : segments.get(0))) {
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
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(route.method());
        }
        return new Match(null, Map.of(), allowed == null ? Set.of() : allowed);
    }

    private Index index() {
        Index current = index;
        if (current == null) {
            synchronized (this) {
                current = index == null ? (index = Index.of(routes)) : index;
            }
        }
        return current;
    }

    /**
     * For each literal first segment, the routes that start with it together with those that can
     * start with anything (a parameter or a tail), in the table's order; those alone for any other.
     */
    private record Index(Map<String, List<Route>> byFirstSegment, List<Route> anyFirstSegment) {
        static Index of(List<Route> routes) {
            List<Route> any = routes.stream().filter(route -> route.firstLiteral() == null).toList();
            Map<String, List<Route>> byFirst = new HashMap<>();
            for (Route route : routes) {
                String first = route.firstLiteral();
                if (first != null && !byFirst.containsKey(first)) {
                    byFirst.put(first, routes.stream()
                            .filter(candidate -> candidate.firstLiteral() == null || candidate.firstLiteral().equals(first))
                            .toList());
                }
            }
            return new Index(Map.copyOf(byFirst), any);
        }

        List<Route> candidates(String firstSegment) {
            List<Route> routes = firstSegment == null ? null : byFirstSegment.get(firstSegment);
            return routes == null ? anyFirstSegment : routes;
        }
    }

    /** Percent-decodes one path segment; unlike in a query string, {@code +} in a path is a plus. */
    private static String decodeSegment(String segment) {
        return QueryStringDecoder.decodeComponent(segment.replace("+", "%2B"));
    }
}
