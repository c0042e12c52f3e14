package dev.toolgate.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a raw socket that misbehaves on cue: for each request it reads, the script says
 * what to do, given the connection's number (0 for the first connection the gateway opened) and the
 * request's number on that connection (0 for the first). Reads whole HTTP/1.1 requests, so a
 * connection can be kept alive for a second request and then closed, as a server whose keep-alive
 * timer fired would do.
 */
public final class ScriptedUpstream implements AutoCloseable {

    /** What the upstream does with one request; {@code true} keeps the connection open for the next. */
    @FunctionalInterface
    public interface Act {
        boolean on(Socket socket, OutputStream out) throws IOException, InterruptedException;
    }

    /** Chooses the act for a request by connection and request number. */
    @FunctionalInterface
    public interface Script {
        Act actFor(int connection, int request);
    }

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public ScriptedUpstream(Script script) throws IOException {
        this.script = script;
        Thread acceptor = new Thread(this::accept, "scripted-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    /** Connections the gateway opened so far. */
    public int connections() {
        return connections.get();
    }

    /** Requests read so far, over all connections. */
    public int requests() {
        return requests.get();
    }

    // --- acts ---

    /** A complete answer with a Content-Length; the connection stays open for the next request. */
    public static Act answer(String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (socket, out) -> {
            out.write(head(contentType, "Content-Length: " + bytes.length));
            out.write(bytes);
            out.flush();
            return true;
        };
    }

    /** Closes the connection without a byte of answer (FIN). */
    public static Act hangUp() {
        return (socket, out) -> false;
    }

    /** Aborts the connection without answering: an RST instead of a FIN. */
    public static Act reset() {
        return (socket, out) -> {
            socket.setSoLinger(true, 0);
            return false;
        };
    }

    /** Sends part of a status line and headers, then closes. */
    public static Act partialHead() {
        return (socket, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: applic".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return false;
        };
    }

    /** Sends the head and half of a Content-Length body, then closes. */
    public static Act halfBody(String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (socket, out) -> {
            out.write(head(contentType, "Content-Length: " + bytes.length));
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            return false;
        };
    }

    /** Sends a chunked head and {@code events} as one chunk, then either closes ({@code thenClose}) or goes silent. */
    public static Act streamThen(String events, boolean thenClose) {
        byte[] bytes = events.getBytes(StandardCharsets.UTF_8);
        return (socket, out) -> {
            out.write(head("text/event-stream", "Transfer-Encoding: chunked"));
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (!thenClose) {
                silence(socket);
            }
            return false;
        };
    }

    /** Accepts the request and never answers (until the gateway gives up and closes). */
    public static Act silent() {
        return (socket, out) -> {
            silence(socket);
            return false;
        };
    }

    /** Answers, but only after {@code delayMillis}. */
    public static Act late(long delayMillis, String contentType, String body) {
        Act answer = answer(contentType, body);
        return (socket, out) -> {
            Thread.sleep(delayMillis);
            return answer.on(socket, out);
        };
    }

    private static void silence(Socket socket) throws IOException {
        // Returns when the gateway closes its side.
        InputStream in = socket.getInputStream();
        while (in.read() >= 0) {
            // a pipelined byte would be a gateway bug; ignore it
        }
    }

    private static byte[] head(String contentType, String framing) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\n" + framing + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    // --- serving ---

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int number = connections.getAndIncrement();
                open.add(socket);
                Thread handler = new Thread(() -> serve(socket, number), "scripted-upstream-" + number);
                handler.setDaemon(true);
                handler.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int request = 0; ; request++) {
                if (!readRequest(in)) {
                    return;
                }
                requests.incrementAndGet();
                if (!script.actFor(connection, request).on(socket, out)) {
                    return;
                }
            }
        } catch (IOException gone) {
            // the gateway closed the connection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    /** Reads one request's head and Content-Length body; false at the end of the connection. */
    private static boolean readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        int contentLength = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return in.readNBytes(contentLength).length == contentLength;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
