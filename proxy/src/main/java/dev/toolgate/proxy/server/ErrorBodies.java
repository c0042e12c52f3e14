package dev.toolgate.proxy.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the one error body shape every endpoint uses. */
public final class ErrorBodies {
    private ErrorBodies() {
    }

    public static ObjectNode of(String code, String message) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return body;
    }
}
