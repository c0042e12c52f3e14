package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Watches every request the server answers: the access log, the metrics and the trace. Both
 * methods run on the request's event loop and must not block; what they throw is logged and
 * never reaches the client.
 */
public interface RequestObserver {
    RequestObserver NONE = record -> { };

    /** The request is routed and about to pass the request steps; {@code headers} are the request's (a trace parent). */
    default void started(RequestRecord record, HttpHeaders headers) {
    }

    /** Its response is written, or its client gone: called once. */
    void completed(RequestRecord record);

    /** Tells each of {@code observers}, in order. */
    static RequestObserver all(List<RequestObserver> observers) {
        List<RequestObserver> copy = List.copyOf(observers);
        if (copy.isEmpty()) {
            return NONE;
        }
        return copy.size() == 1 ? copy.get(0) : new RequestObserver() {
            @Override
            public void started(RequestRecord record, HttpHeaders headers) {
                copy.forEach(observer -> observer.started(record, headers));
            }

            @Override
            public void completed(RequestRecord record) {
                copy.forEach(observer -> observer.completed(record));
            }
        };
    }
}
