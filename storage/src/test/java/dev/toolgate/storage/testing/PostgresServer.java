package dev.toolgate.storage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: the binaries of Debian's {@code postgresql} package (which
 * {@code .ci/run} installs), a throwaway cluster in a temporary directory, started once per JVM on a
 * free loopback port and stopped when the JVM exits. PostgreSQL refuses to run as root, so under
 * root the cluster belongs to the {@code postgres} user and its commands run through {@code runuser}.
 *
 * <p>Each test takes a fresh schema ({@link #freshUrl}) instead of a fresh database: creating one
 * costs a millisecond, not a copy of the template. Without the binaries {@link #shared} is empty and
 * the caller skips, unless {@code TOOLGATE_REQUIRE_POSTGRES=1} (set by {@code .ci/run}) makes that a
 * failure: in CI a PostgreSQL test never silently skips.
 */
public final class PostgresServer {
    /** The database every fresh schema lives in. */
    public static final String DATABASE = "toolgate";
    public static final String USER = "postgres";
    public static final String INSTALL_HINT = "PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/pg_ctl"
            + " and $TOOLGATE_PG_BIN): install them with 'apt-get install postgresql' to run the PostgreSQL tests";

    private static Optional<PostgresServer> shared;

    private final Path bin;
    private final Path directory;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path bin, Path directory, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The JVM's server, started on first use; empty when PostgreSQL is not installed and not required. */
    public static synchronized Optional<PostgresServer> shared() {
        if (shared == null) {
            Optional<Path> bin = findBinaries();
            if (bin.isEmpty()) {
                if ("1".equals(System.getenv("TOOLGATE_REQUIRE_POSTGRES"))) {
                    throw new IllegalStateException(INSTALL_HINT + " (TOOLGATE_REQUIRE_POSTGRES=1: the PostgreSQL tests must run)");
                }
                shared = Optional.empty();
            } else {
                PostgresServer server = create(bin.get());
                Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "postgres-test-server-stop"));
                shared = Optional.of(server);
            }
        }
        return shared;
    }

    /** The JVM's server; throws with the install hint when there is none. */
    public static PostgresServer require() {
        return shared().orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
    }

    public int port() {
        return port;
    }

    /** A JDBC URL for a new, empty schema of its own. */
    public String freshUrl() {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        execute(DATABASE, "CREATE SCHEMA " + schema);
        return url(DATABASE) + "&currentSchema=" + schema;
    }

    /** A JDBC URL for a new, empty database of its own (for tests of the default schema). */
    public String freshDatabaseUrl() {
        String database = "d_" + UUID.randomUUID().toString().replace("-", "");
        execute("postgres", "CREATE DATABASE " + database);
        return url(database);
    }

    /** A JDBC URL of one of the server's databases, as the {@code postgres} user (the cluster trusts loopback). */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /** Stops the server the way a crash would ({@code pg_ctl stop -m immediate}): clients see their connections cut. */
    public void kill() {
        pgCtl("stop", "-m", "immediate");
    }

    /** Starts the server again after {@link #kill}, on the same port, with the same data. */
    public void start() {
        pgCtl("start", "-w", "-t", "60", "-l", directory.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c max_connections=400"
                        + " -c fsync=off -c full_page_writes=off");
    }

    private static PostgresServer create(Path bin) {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path directory = Files.createTempDirectory("toolgate-postgres-");
            if (root) {
                run(List.of("chown", USER, directory.toString()));
            }
            PostgresServer server = new PostgresServer(bin, directory, freePort(), root);
            server.command(List.of(bin.resolve("initdb").toString(), "-D", directory.resolve("data").toString(), "-U", USER,
                    "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"));
            server.start();
            server.execute("postgres", "CREATE DATABASE " + DATABASE);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the PostgreSQL test server", e);
        }
    }

    private void destroy() {
        try {
            kill();
        } catch (RuntimeException ignored) {
            // already stopped
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it up
        }
    }

    private void pgCtl(String... arguments) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString()));
        command.addAll(List.of(arguments));
        command(command);
    }

    private void command(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(command);
        run(full);
    }

    private void execute(String database, String sql) {
        try (Connection connection = DriverManager.getConnection(url(database));
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL test server: " + sql + ": " + e.getMessage(), e);
        }
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("PostgreSQL test server: " + String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Optional<Path> findBinaries() {
        String configured = System.getenv("TOOLGATE_PG_BIN");
        if (configured != null && Files.isExecutable(Path.of(configured, "pg_ctl"))) {
            return Optional.of(Path.of(configured));
        }
        Path installed = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(installed)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(installed)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")) && Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparingInt(bin -> versionNumber(bin.getParent().getFileName().toString())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int versionNumber(String name) {
        try {
            return Integer.parseInt(name.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
