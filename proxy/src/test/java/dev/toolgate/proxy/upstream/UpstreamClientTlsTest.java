package dev.toolgate.proxy.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.server.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTPS upstreams: the TLS pipeline works, and an untrusted certificate is refused by default. */
class UpstreamClientTlsTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().dynamicHttpsPort()).build();

    private final Transport transport = Transport.best();
    private final EventLoopGroup loops = transport.newGroup(1, "tls-test");

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The outcome of one exchange: the body text, or the failure. */
    private static final class Outcome implements BufferingListener.Receiver {
        final CompletableFuture<String> body = new CompletableFuture<>();

        @Override
        public void onResponse(HttpResponse head, ByteBuf content) {
            body.complete(head.status().code() + " " + content.toString(StandardCharsets.UTF_8));
            content.release();
        }

        @Override
        public void onError(UpstreamException error) {
            body.completeExceptionally(error);
        }
    }

    private Outcome send(UpstreamClient client) {
        Outcome outcome = new Outcome();
        URI target = URI.create("https://localhost:" + upstream.getRuntimeInfo().getHttpsPort() + "/v1/chat/completions");
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.copiedBuffer("{\"model\":\"m\"}", StandardCharsets.UTF_8));
        client.send(loops.next(), target, request, new BufferingListener(io.netty.buffer.ByteBufAllocator.DEFAULT, 1 << 20, outcome));
        return outcome;
    }

    @Test
    void talksToAnHttpsUpstream() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        try (UpstreamClient client = new UpstreamClient(transport, Duration.ofSeconds(2), Duration.ofSeconds(5),
                SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())) {
            assertThat(send(client).body.get(10, TimeUnit.SECONDS)).isEqualTo("200 {\"ok\":true}");
            // Keep-alive: a second request reuses the pooled TLS connection.
            assertThat(send(client).body.get(10, TimeUnit.SECONDS)).isEqualTo("200 {\"ok\":true}");
        }
        upstream.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Host", equalTo("localhost:" + upstream.getRuntimeInfo().getHttpsPort())));
    }

    @Test
    void refusesAnUntrustedCertificateByDefault() {
        try (UpstreamClient client = new UpstreamClient(transport, Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            Outcome outcome = send(client);
            assertThat(outcome.body).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause()
                    .isInstanceOfSatisfying(UpstreamException.class,
                            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAVAILABLE));
        }
    }
}
