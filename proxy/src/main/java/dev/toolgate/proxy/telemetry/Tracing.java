package dev.toolgate.proxy.telemetry;

import dev.toolgate.config.TelemetryConfig;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.RequestObserver;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AuditEvent;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry traces, exported over OTLP/HTTP in batches by the SDK's own thread: a span per
 * request (a child of the client's {@code traceparent} when it sends one) and, under it, a span per
 * decided tool call, named and attributed after the GenAI semantic conventions
 * ({@code execute_tool {name}}, {@code gen_ai.tool.name}, {@code gen_ai.tool.call.id},
 * {@code gen_ai.request.model}) plus the decision and the rule. Arguments, reasons and keys are
 * never put on a span: a collector is one more place a secret could leak to.
 */
public final class Tracing implements RequestObserver, DecisionObserver, AutoCloseable {
    static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> DECISION = AttributeKey.stringKey("toolgate.decision");
    static final AttributeKey<String> RULE = AttributeKey.stringKey("toolgate.rule");
    static final AttributeKey<String> AGENT = AttributeKey.stringKey("toolgate.agent");
    static final AttributeKey<String> SOURCE = AttributeKey.stringKey("toolgate.source");
    static final AttributeKey<String> POLICY_VERSION = AttributeKey.stringKey("toolgate.policy_version");
    static final AttributeKey<Double> RISK_SCORE = AttributeKey.doubleKey("toolgate.risk_score");
    static final AttributeKey<Long> OVERHEAD_US = AttributeKey.longKey("toolgate.overhead_us");
    static final AttributeKey<String> DECISIONS = AttributeKey.stringKey("toolgate.decisions");
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    private static final TextMapGetter<HttpHeaders> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
            return carrier.names();
        }

        @Override
        public String get(HttpHeaders carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    public Tracing(TelemetryConfig config) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.otlpEndpoint().toString())
                .build();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        this.tracer = provider.get("dev.toolgate");
    }

    @Override
    public void started(RequestRecord record, HttpHeaders headers) {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        Span span = tracer.spanBuilder(record.method() + " " + record.route())
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(record.receivedEpochMillis(), TimeUnit.MILLISECONDS)
                .setAttribute(HTTP_METHOD, record.method())
                .setAttribute(HTTP_ROUTE, record.route())
                .setAttribute(URL_PATH, record.path())
                .startSpan();
        record.traceContext(parent.with(span));
    }

    @Override
    public void completed(RequestRecord record) {
        if (record.traceContext() == null) {
            return;  // no route matched: no span was started
        }
        Span span = Span.fromContext(record.traceContext());
        span.setAttribute(HTTP_STATUS, record.status());
        if (record.principal() != null) {
            span.setAttribute(AGENT, record.principal());
        }
        if (record.model() != null) {
            span.setAttribute(REQUEST_MODEL, record.model());
        }
        if (record.decisions() != null) {
            span.setAttribute(DECISIONS, record.decisions());
        }
        if (record.overheadNanos() >= 0) {
            span.setAttribute(OVERHEAD_US, record.overheadNanos() / 1_000);
        }
        if (record.status() >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        Context parent = httpRequest != null && httpRequest.traceContext() != null ? httpRequest.traceContext() : Context.root();
        Instant now = Instant.now();
        for (AuditEvent event : events) {
            var span = tracer.spanBuilder("execute_tool " + event.tool())
                    .setParent(parent)
                    .setSpanKind(SpanKind.INTERNAL)
                    .setStartTimestamp(event.time())
                    .setAttribute(OPERATION, "execute_tool")
                    .setAttribute(TOOL_NAME, event.tool())
                    .setAttribute(DECISION, event.decision())
                    .setAttribute(SOURCE, event.source())
                    .setAttribute(AGENT, event.agent())
                    .setAttribute(POLICY_VERSION, event.policyVersion())
                    .setAttribute(RISK_SCORE, event.riskScore());
            if (event.toolCallId() != null) {
                span.setAttribute(TOOL_CALL_ID, event.toolCallId());
            }
            if (event.model() != null) {
                span.setAttribute(REQUEST_MODEL, event.model());
            }
            if (!event.rules().isEmpty()) {
                span.setAttribute(RULE, String.join(",", event.rules()));
            }
            Span started = span.startSpan();
            if ("blocked".equals(event.decision())) {
                started.setStatus(StatusCode.ERROR, "blocked by policy");
            }
            started.end(now);
        }
    }

    /** Exports the spans still buffered, then stops. */
    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
