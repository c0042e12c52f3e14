package dev.toolgate.proxy.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;
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

    /** A JSON object body, declared as JSON, whose fields are all among {@code fields}; 422 naming the first other one. */
    public static ObjectNode knownFields(Exchange exchange, List<String> fields) {
        requireJson(exchange);
        ObjectNode body = Json.readObject(exchange.request().content());
        body.fieldNames().forEachRemaining(name -> {
            if (!fields.contains(name)) {
                throw ApiError.validation("unknown field '" + name + "' (expected: " + String.join(", ", fields) + ")");
            }
        });
        return body;
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
