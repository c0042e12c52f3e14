package dev.toolgate.proxy.dashboard;

import dev.toolgate.proxy.api.AuditEventJson;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AuditEvent;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /dashboard/api/feed}: every decision as it is committed to the audit log, to each
 * connected admin of its workspace, as a server-sent event {@code decision} whose data is the
 * event as {@code GET /api/logs} shows it (arguments already redacted). Told by the gate on the
 * audit commit thread: it only serializes and queues there, never writes or waits.
 */
final class LiveFeed implements DecisionObserver {
    static final String EVENT = "decision";

    private final Set<FeedStream> streams = ConcurrentHashMap.newKeySet();

    void open(Exchange exchange) {
        FeedStream[] opened = new FeedStream[1];
        opened[0] = FeedStream.start(exchange, exchange.principal().workspace(), () -> streams.remove(opened[0]));
        streams.add(opened[0]);
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        if (streams.isEmpty()) {
            return;
        }
        for (AuditEvent event : events) {
            String data = null;
            for (FeedStream stream : streams) {
                if (stream.workspace().equals(event.workspace())) {
                    if (data == null) {
                        data = Json.text(AuditEventJson.of(event));
                    }
                    stream.offer(EVENT, data);
                }
            }
        }
    }

    /** How many browsers are watching; for tests and shutdown logs. */
    int watching() {
        return streams.size();
    }

    /** Ends every feed, so a shutdown's drain does not wait on them for its whole grace. */
    void endStreams() {
        streams.forEach(FeedStream::close);
    }
}
