package dev.toolgate.proxy.server;

import com.fasterxml.jackson.databind.JsonNode;
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

    /** A string field of a JSON body, trimmed; null when absent, null or blank; 422 when it is not a string. */
    public static String optionalText(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.validation(field + " must be a string");
        }
        return value.textValue().isBlank() ? null : value.textValue().trim();
    }
}
