package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.McpServerConfig;
import dev.toolgate.proxy.server.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A downstream MCP server reached over Streamable HTTP. Each message is one POST, sent
 * asynchronously; its answer comes back as JSON or as an event stream, read on OkHttp's threads
 * (never an event loop). A session the server forgot (404) is dropped: the next request
 * initializes a new one.
 */
final class HttpConnection extends DownstreamConnection {
    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
    private static final MediaType JSON = MediaType.get("application/json");
    /** Requests in flight to one server at once; more wait in OkHttp's queue. */
    private static final int MAX_IN_FLIGHT = 1024;

    private final McpServerConfig config;
    private final OkHttpClient http;
    private volatile String sessionId;
    private volatile String protocolVersion;

    HttpConnection(McpServerConfig config, Duration timeout, OkHttpClient shared) {
        super(config.name(), timeout);
        this.config = config;
        // OkHttp's default of 5 requests per host would queue every client behind five calls in flight.
        Dispatcher dispatcher = new Dispatcher(shared.dispatcher().executorService());
        dispatcher.setMaxRequests(MAX_IN_FLIGHT);
        dispatcher.setMaxRequestsPerHost(MAX_IN_FLIGHT);
        this.http = shared.newBuilder().dispatcher(dispatcher).readTimeout(timeout).callTimeout(Duration.ZERO).build();
    }

    @Override
    protected void protocolAgreed(String version) {
        this.protocolVersion = version;
    }

    @Override
    protected void send(ObjectNode message) {
        JsonNode id = message.get("id");
        boolean initialize = "initialize".equals(message.path("method").asText());
        if (initialize) {
            sessionId = null;
            protocolVersion = null;
        }
        Request.Builder request = new Request.Builder().url(config.url().toString())
                .header("Accept", "application/json, text/event-stream")
                .post(RequestBody.create(message.toString(), JSON));
        config.headers().forEach(request::header);
        String session = sessionId;
        if (session != null) {
            request.header(StreamableHttpTransport.SESSION_HEADER, session);
        }
        String version = protocolVersion;
        if (version != null) {
            request.header(StreamableHttpTransport.VERSION_HEADER, version);
        }
        http.newCall(request.build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                if (id != null && message.has("method")) {
                    failed(id.asText(), "cannot be reached: " + e.getMessage());
                }
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    answered(response, id != null && message.has("method") ? id.asText() : null, initialize, session);
                } catch (IOException | RuntimeException e) {
                    if (id != null && message.has("method")) {
                        failed(id.asText(), "sent an answer that could not be read: " + e.getMessage());
                    }
                }
            }
        });
    }

    private void answered(Response response, String requestId, boolean initialize, String session) throws IOException {
        if (initialize && response.header(StreamableHttpTransport.SESSION_HEADER) != null) {
            sessionId = response.header(StreamableHttpTransport.SESSION_HEADER);
        }
        if (response.code() == 404 && session != null) {
            log.info("MCP server '{}' ended the gateway's session; the next request opens a new one", server);
            lost("ended the session");
            return;
        }
        if (response.code() == 202) {
            return;
        }
        ResponseBody body = response.body();
        String type = response.header("Content-Type", "");
        if (!response.isSuccessful() || body == null) {
            if (requestId != null) {
                failed(requestId, "answered HTTP " + response.code());
            }
            return;
        }
        if (type.startsWith("text/event-stream")) {
            readEvents(body);
        } else {
            JsonNode message = Json.MAPPER.readTree(body.byteStream());
            if (message != null && message.isObject()) {
                received((ObjectNode) message);
            }
        }
    }

    /** Each event's data is one JSON-RPC message; comments and other fields are skipped. */
    private void readEvents(ResponseBody body) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body.byteStream(), StandardCharsets.UTF_8))) {
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    dispatch(data);
                } else if (line.startsWith("data:")) {
                    data.append(data.length() > 0 ? "\n" : "").append(line.substring(line.startsWith("data: ") ? 6 : 5));
                }
            }
            dispatch(data);
        }
    }

    private void dispatch(StringBuilder data) throws IOException {
        if (data.length() == 0) {
            return;
        }
        JsonNode message = Json.MAPPER.readTree(data.toString());
        data.setLength(0);
        if (message != null && message.isObject()) {
            received((ObjectNode) message);
        }
    }

    @Override
    public void close() {
        String session = sessionId;
        if (session != null) {
            Request.Builder request = new Request.Builder().url(config.url().toString()).delete()
                    .header(StreamableHttpTransport.SESSION_HEADER, session);
            config.headers().forEach(request::header);
            try (Response ignored = http.newBuilder().callTimeout(Duration.ofSeconds(2)).build().newCall(request.build()).execute()) {
                // The server may keep sessions or not: either answer is fine.
            } catch (IOException e) {
                log.debug("could not end the session with MCP server '{}': {}", server, e.toString());
            }
        }
        lost("is shutting down");
    }
}
