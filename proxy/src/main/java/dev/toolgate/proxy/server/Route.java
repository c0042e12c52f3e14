package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A method and path template ({@code /api/blocked-tools/:tool_name}; a final {@code *} matches
 * any rest) with who may call it.
 */
public final class Route {
    private final HttpMethod method;
    private final String template;
    private final Access access;
    /** False where {@code x-api-key} is the provider's key (Anthropic routes): the gateway key then comes in {@code x-toolgate-key}. */
    private final boolean apiKeyHeaderIsGateway;
    /** True where no provider uses {@code Authorization}, so {@code Authorization: Bearer} may carry the gateway key (MCP). */
    private final boolean bearerIsGateway;
    private final Endpoint endpoint;
    /** What the request's headers must say for this route to be the one (two providers on one path). */
    private final Predicate<HttpHeaders> condition;
    /** The template split once: every request is matched against every route until one fits. */
    private final List<String> segments;

    public Route(HttpMethod method, String template, Access access, boolean apiKeyHeaderIsGateway, Endpoint endpoint) {
        this(method, template, access, apiKeyHeaderIsGateway, headers -> true, endpoint);
    }

    public Route(HttpMethod method, String template, Access access, boolean apiKeyHeaderIsGateway,
                 Predicate<HttpHeaders> condition, Endpoint endpoint) {
        this(method, template, access, apiKeyHeaderIsGateway, false, condition, endpoint);
    }

    public Route(HttpMethod method, String template, Access access, boolean apiKeyHeaderIsGateway, boolean bearerIsGateway,
                 Predicate<HttpHeaders> condition, Endpoint endpoint) {
        this.method = method;
        this.template = template;
        this.access = access;
        this.apiKeyHeaderIsGateway = apiKeyHeaderIsGateway;
        this.bearerIsGateway = bearerIsGateway;
        this.condition = condition;
        this.endpoint = endpoint;
        this.segments = split(template);
    }

    /** Whether a request with these headers may take this route. */
    boolean accepts(HttpHeaders headers) {
        return condition.test(headers);
    }

    public HttpMethod method() {
        return method;
    }

    public String template() {
        return template;
    }

    public Access access() {
        return access;
    }

    public boolean apiKeyHeaderIsGateway() {
        return apiKeyHeaderIsGateway;
    }

    public boolean bearerIsGateway() {
        return bearerIsGateway;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Who may call a route. */
    public enum Access {
        /** No key: health checks and token-guarded approval links. */
        PUBLIC,
        /** Any valid key. */
        AGENT,
        /** Admin keys only. */
        ADMIN
    }

    /** The path parameters when {@code path} fits the template, else null; no map is made for a template without parameters. */
    Map<String, String> match(List<String> pathSegments) {
        List<String> templateSegments = segments;
        Map<String, String> params = Map.of();
        for (int i = 0; i < templateSegments.size(); i++) {
            String expected = templateSegments.get(i);
            if (expected.equals("*") && i == templateSegments.size() - 1) {
                return params;
            }
            if (i >= pathSegments.size()) {
                return null;
            }
            String actual = pathSegments.get(i);
            if (expected.startsWith(":")) {
                if (params.isEmpty()) {
                    params = new HashMap<>();
                }
                params.put(expected.substring(1), actual);
            } else if (!expected.equals(actual)) {
                return null;
            }
        }
        return templateSegments.size() == pathSegments.size() ? params : null;
    }

    /** The template's first segment when it is a literal, else null (a parameter, a {@code *} tail, or the root). */
    String firstLiteral() {
        if (segments.isEmpty()) {
            return null;
        }
        String first = segments.get(0);
        return first.startsWith(":") || first.equals("*") ? null : first;
    }

    static List<String> split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/", -1));
    }
}
