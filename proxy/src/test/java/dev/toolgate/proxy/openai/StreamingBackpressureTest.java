package dev.toolgate.proxy.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.proxy.testing.GatewayProcess;
import dev.toolgate.proxy.testing.StreamingUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams are relayed with bounded memory: a slow client slows the upstream, a 200 MB stream
 * passes through a gateway whose heap is capped at 96 MB, and an upstream that goes quiet times out.
 */
class StreamingBackpressureTest {
    private static final String REQUEST = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    private static final String TEXT_CHUNK = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + "lorem ipsum ".repeat(80) + "\"},\"finish_reason\":null}]}\n\n";

    /** An upstream writing {@code total} bytes of text deltas as fast as the gateway reads them. */
    private static StreamingUpstream textStream(long total) throws IOException {
        byte[] chunk = TEXT_CHUNK.getBytes(StandardCharsets.UTF_8);
        return new StreamingUpstream(out -> {
            for (long written = 0; written < total; written += chunk.length) {
                out.write(chunk);
            }
            out.write("data: [DONE]\n\n");
        }, true);
    }

    private static Request request(String baseUrl) {
        return new Request.Builder().url(baseUrl + "/v1/chat/completions").header("x-api-key", TestGateway.AGENT_KEY)
                .post(RequestBody.create(REQUEST, TestGateway.JSON)).build();
    }

    @Test
    void aClientThatStopsReadingStopsTheUpstream() throws Exception {
        long total = 200L * 1024 * 1024;
        try (StreamingUpstream upstream = textStream(total); TestGateway gateway = TestGateway.start(upstream.baseUrl())) {
            Response response = gateway.http().newCall(request(gateway.baseUrl())).execute();
            try (InputStream body = response.body().byteStream()) {
                assertThat(body.readNBytes(64 * 1024)).hasSize(64 * 1024);
                // The client now reads nothing: wait until the upstream cannot write any more.
                long before;
                long after = upstream.bytesWritten();
                do {
                    before = after;
                    Thread.sleep(300);
                    after = upstream.bytesWritten();
                } while (after != before);

                assertThat(after).as("bytes the upstream managed to send while the client read nothing").isLessThan(32L * 1024 * 1024);
            }
            response.close();
        }
    }

    @Test
    void anIdleUpstreamTimesOutWithAnErrorEvent() throws Exception {
        try (StreamingUpstream quiet = new StreamingUpstream(out -> {
            out.write(TEXT_CHUNK);
            Thread.sleep(10_000);
        }, true); TestGateway gateway = TestGateway.start(quiet.baseUrl())) {
            try (Response response = gateway.http().newCall(request(gateway.baseUrl())).execute()) {
                String received = response.body().string();
                assertThat(received).startsWith(TEXT_CHUNK);
                assertThat(received).contains("\"code\":\"UPSTREAM_TIMEOUT\"");
            }
        }
    }

    @Test
    void twoHundredMegabytesPassThroughAGatewayWith96MegabytesOfHeap(@TempDir Path dir) throws Exception {
        long total = 200L * 1024 * 1024;
        try (StreamingUpstream upstream = textStream(total)) {
            Path config = dir.resolve("toolgate.yaml");
            Files.writeString(config, """
                    server: { host: 127.0.0.1, port: 0, public_url: "http://toolgate.test" }
                    upstream: { base_url: "%s", timeout: 10s }
                    storage: { url: "jdbc:h2:mem:big-stream;DB_CLOSE_DELAY=-1" }
                    keys:
                      - { name: support-bot, key: %s, role: agent }
                    """.formatted(upstream.baseUrl(), TestGateway.AGENT_KEY));
            try (GatewayProcess gateway = GatewayProcess.start(config, dir.resolve("gateway.log"),
                    "-Xmx96m", "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetection.level=disabled")) {
                OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();
                long received = 0;
                try (Response response = client.newCall(request(gateway.baseUrl())).execute();
                     InputStream body = response.body().byteStream()) {
                    assertThat(response.code()).isEqualTo(200);
                    byte[] buffer = new byte[64 * 1024];
                    for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                        received += n;
                    }
                }
                assertThat(received).isGreaterThanOrEqualTo(total);
                assertThat(gateway.alive()).as("the gateway survived with -Xmx96m").isTrue();
            }
        }
    }
}
