package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Locale;

/** Checks on request bodies shared by JSON endpoints. */
public final class RequestBodies {
    private RequestBodies() {
    }

    /** 415 unless the body is declared as JSON ({@code application/json} or any {@code +json} type). */
    public static void requireJson(Exchange exchange) {
        String contentType = exchange.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        CharSequence mime = contentType == null ? null : HttpUtil.getMimeType(contentType);
        String type = mime == null ? "" : mime.toString().trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !type.endsWith("+json")) {
            throw ApiError.unsupportedMediaType(contentType);
        }
    }
}
