package dev.toolgate.proxy.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Maps a client path under {@code /v1} onto the configured upstream base URL. */
public final class UpstreamTarget {
    /**
     * Targets of requests without a query string, the usual model request, by base and path: such
     * a request costs a lookup instead of building and parsing a URI. Bounded, since the
     * pass-through routes take any path under {@code /v1}.
     */
    private static final Cache<PlainTarget, URI> PLAIN_TARGETS = Caffeine.newBuilder().maximumSize(1_024).build();

    private record PlainTarget(URI base, String path, String clientPrefix) {
    }

    private UpstreamTarget() {
    }

    /**
     * With client prefix {@code /v1}, {@code /v1/chat/completions?x=1} with base {@code https://api.openai.com/v1} becomes
     * {@code https://api.openai.com/v1/chat/completions?x=1}; the gateway's {@code api_key} query
     * parameter is removed.
     */
    public static URI resolve(URI base, QueryStringDecoder clientUri, String clientPrefix, String dropParam) {
        if (clientUri.rawQuery().isEmpty()) {
            return PLAIN_TARGETS.get(new PlainTarget(base, clientUri.rawPath(), clientPrefix),
                    plain -> build(plain.base(), plain.path(), plain.clientPrefix(), ""));
        }
        QueryStringEncoder query = new QueryStringEncoder("");
        for (Map.Entry<String, List<String>> param : clientUri.parameters().entrySet()) {
            if (!param.getKey().equals(dropParam)) {
                param.getValue().forEach(value -> query.addParam(param.getKey(), value));
            }
        }
        String encodedQuery = query.toString();
        return build(base, clientUri.rawPath(), clientPrefix, encodedQuery.startsWith("?") ? encodedQuery.substring(1) : encodedQuery);
    }

    private static URI build(URI base, String path, String clientPrefix, String rawQuery) {
        String suffix = !clientPrefix.isEmpty() && path.startsWith(clientPrefix) ? path.substring(clientPrefix.length()) : path;
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        String authority = base.getRawAuthority();
        return URI.create(base.getScheme() + "://" + authority + basePath + suffix + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
    }
}
