package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finds the route for a request; routes are tried in the order they were added. */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    /** The route found and its path parameters; {@code route} is null when nothing matched. */
    public record Match(Route route, Map<String, String> params, boolean pathKnown) {
    }

    public Router add(HttpMethod method, String template, Route.Access access, Endpoint endpoint) {
        routes.add(new Route(method, template, access, endpoint));
        return this;
    }

    public Match find(HttpMethod method, String rawPath) {
        List<String> segments = Route.split(QueryStringDecoder.decodeComponent(rawPath));
        boolean pathKnown = false;
        for (Route route : routes) {
            Map<String, String> params = route.match(segments);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match(route, params, true);
            }
            pathKnown = true;
        }
        return new Match(null, Map.of(), pathKnown);
    }
}
