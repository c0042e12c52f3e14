package dev.toolgate.proxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP upstream on a raw socket, for what WireMock cannot do: stream an endless or huge
 * event stream chunk by chunk, stop mid-stream, and tell when the gateway closed the connection.
 * Serves one request per connection, each on its own thread.
 */
public final class StreamingUpstream implements AutoCloseable {

    /** Writes the body of one response; may throw IOException when the peer goes away. */
    @FunctionalInterface
    public interface Body {
        void write(Chunks out) throws IOException, InterruptedException;
    }

    /** Chunked transfer encoding over the socket. */
    public final class Chunks {
        private final OutputStream out;

        Chunks(OutputStream out) {
            this.out = out;
        }

        public void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.UTF_8));
        }

        public void write(byte[] bytes) throws IOException {
            if (bytes.length == 0) {
                return;
            }
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            bytesWritten += bytes.length;
        }

        void end() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private final ServerSocket server;
    private final Body body;
    private final boolean endCleanly;
    private final CountDownLatch peerClosed = new CountDownLatch(1);
    private final CountDownLatch requestSeen = new CountDownLatch(1);
    private volatile long bytesWritten;

    /** @param endCleanly false to cut the connection after the body instead of ending the stream */
    public StreamingUpstream(Body body, boolean endCleanly) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.body = body;
        this.endCleanly = endCleanly;
        Thread acceptor = new Thread(this::accept, "streaming-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    public boolean awaitRequest(long seconds) throws InterruptedException {
        return requestSeen.await(seconds, TimeUnit.SECONDS);
    }

    /** True once the gateway closed the connection while the body was still being written. */
    public boolean awaitPeerClosed(long seconds) throws InterruptedException {
        return peerClosed.await(seconds, TimeUnit.SECONDS);
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread handler = new Thread(() -> serve(socket), "streaming-upstream-conn");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            int contentLength = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    contentLength = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.skip(contentLength);
            requestSeen.countDown();
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Chunks chunks = new Chunks(out);
            body.write(chunks);
            if (endCleanly) {
                chunks.end();
            }
        } catch (IOException peerGone) {
            peerClosed.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
