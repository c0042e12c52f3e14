package dev.toolgate.proxy.server;

import io.opentelemetry.context.Context;
import java.util.Map;

/**
 * What one request became, gathered while it is answered and read once it is done by the access
 * log, the metrics and the trace ({@link RequestObserver}): its route, status, the time the
 * upstream took and the gateway's own share, and the decisions on its tool calls. Everything is
 * written on the request's event loop except the decisions, which arrive from the audit log's
 * commit thread.
 */
public final class RequestRecord {
    /** Status of a request whose client left before any response started (nginx's convention). */
    public static final int CLIENT_GONE = 499;
    /** The path parameter of one-click approval links: the token is the credential, never logged. */
    private static final String SECRET_PATH_PARAM = "token";

    private final String method;
    private String path;
    private final long receivedNanos;
    private final long receivedEpochMillis;
    private String route;
    private String principal;
    private String model;
    private int status;
    private long upstreamSentNanos;
    private long upstreamHeadNanos;
    private long upstreamDoneNanos;
    private long overheadNanos = -1;
    private long durationNanos = -1;
    private String decisions;
    private Context traceContext;

    RequestRecord(String method, String path, long receivedNanos) {
        this.method = method;
        this.path = path;
        this.receivedNanos = receivedNanos;
        this.receivedEpochMillis = System.currentTimeMillis();
    }

    public String method() {
        return method;
    }

    /** The request's path without its query, which may carry a key. */
    public String path() {
        return path;
    }

    /** The route's template ({@code /api/logs}, {@code /v1/*}), or null when no route matched: a bounded label. */
    public String route() {
        return route;
    }

    /** A path whose parameters include a credential (an approval link's token) is recorded as its template. */
    void route(String template, Map<String, String> params) {
        this.route = template;
        if (params.containsKey(SECRET_PATH_PARAM)) {
            this.path = template;
        }
    }

    /** The name of the key that made the request, or null before (or without) authentication. */
    public String principal() {
        return principal;
    }

    void principal(String name) {
        this.principal = name;
    }

    /** The model the request asked for, or null: for the trace. */
    public String model() {
        return model;
    }

    public void model(String name) {
        this.model = name;
    }

    /** The response's status, {@link #CLIENT_GONE} when the client left first; 0 while none is known. */
    public int status() {
        return status;
    }

    void status(int code) {
        if (status == 0) {
            status = code;
        }
    }

    public long receivedEpochMillis() {
        return receivedEpochMillis;
    }

    /** Marks the request sent upstream; {@link #upstreamAnswered} and {@link #upstreamDone} follow. Event loop. */
    public void upstreamSent() {
        upstreamSentNanos = System.nanoTime();
    }

    /** The upstream's response head arrived. */
    public void upstreamAnswered() {
        upstreamHeadNanos = System.nanoTime();
    }

    /** The upstream's response is complete (or failed). */
    public void upstreamDone() {
        upstreamDoneNanos = System.nanoTime();
    }

    /** Whether the request went to an upstream (a model provider). */
    public boolean proxied() {
        return upstreamSentNanos != 0;
    }

    /** From sending upstream to the last byte of its answer; -1 when not proxied or not finished. */
    public long upstreamNanos() {
        return upstreamSentNanos == 0 || upstreamDoneNanos == 0 ? -1 : upstreamDoneNanos - upstreamSentNanos;
    }

    /**
     * Called as the response head is written: the gateway's own time so far, which is everything but
     * the wait for the upstream (up to the end of its answer when the gateway read it whole, up to
     * its head when the answer streams through).
     */
    long measureOverhead(long nowNanos) {
        long waited = 0;
        if (upstreamSentNanos != 0) {
            long answeredAt = upstreamDoneNanos != 0 ? upstreamDoneNanos : upstreamHeadNanos != 0 ? upstreamHeadNanos : nowNanos;
            waited = answeredAt - upstreamSentNanos;
        }
        overheadNanos = Math.max(0, nowNanos - receivedNanos - waited);
        return overheadNanos;
    }

    /** The gateway's own time, measured when the response head was written; -1 when no response was written. */
    public long overheadNanos() {
        return overheadNanos;
    }

    void finished(long nowNanos) {
        durationNanos = nowNanos - receivedNanos;
    }

    /** From the whole request received to the response written (or the client gone). */
    public long durationNanos() {
        return durationNanos;
    }

    /** Adds the audit words of decisions made for this request (allowed, blocked...). Any thread. */
    public synchronized void decided(String decision) {
        decisions = decisions == null ? decision : decisions + "," + decision;
    }

    /** The decisions made for this request, comma-separated in the order they were committed; null when none. */
    public synchronized String decisions() {
        return decisions;
    }

    /** The request's span context when tracing is on, else null: tool-call spans are its children. */
    public Context traceContext() {
        return traceContext;
    }

    public void traceContext(Context context) {
        this.traceContext = context;
    }
}
