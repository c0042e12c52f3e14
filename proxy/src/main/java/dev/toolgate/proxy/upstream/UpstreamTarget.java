package dev.toolgate.proxy.upstream;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Maps a client path under {@code /v1} onto the configured upstream base URL. */
public final class UpstreamTarget {
    private UpstreamTarget() {
    }

    /**
     * With client prefix {@code /v1}, {@code /v1/chat/completions?x=1} with base {@code https://api.openai.com/v1} becomes
     * {@code https://api.openai.com/v1/chat/completions?x=1}; the gateway's {@code api_key} query
     * parameter is removed.
     */
    public static URI resolve(URI base, QueryStringDecoder clientUri, String clientPrefix, String dropParam) {
        String path = clientUri.rawPath();
        String suffix = !clientPrefix.isEmpty() && path.startsWith(clientPrefix) ? path.substring(clientPrefix.length()) : path;
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        QueryStringEncoder query = new QueryStringEncoder("");
        for (Map.Entry<String, List<String>> param : clientUri.parameters().entrySet()) {
            if (!param.getKey().equals(dropParam)) {
                param.getValue().forEach(value -> query.addParam(param.getKey(), value));
            }
        }
        String encodedQuery = query.toString();
        String rawQuery = encodedQuery.startsWith("?") ? encodedQuery.substring(1) : encodedQuery;
        String authority = base.getRawAuthority();
        return URI.create(base.getScheme() + "://" + authority + basePath + suffix + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
    }
}
