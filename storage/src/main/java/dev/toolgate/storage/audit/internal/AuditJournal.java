package dev.toolgate.storage.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit journal: append-only segment files of chained audit events ({@link JournalRecords}),
 * written before the calls they record are released and indexed into the database behind that.
 *
 * <p>Why: committing every decided call to an embedded H2 database rewrites whole B-tree pages
 * per commit (tens of KB for one event), and H2 without its background writer never reclaims
 * them, so the file and H2's chunk table grow without end under load. One {@code write} of the
 * records costs microseconds and the index commits thousands of events at once.
 *
 * <p>Durability: with {@code sync} (the default) every append is forced to the disk
 * ({@code fdatasync}) before it completes, and a new segment's directory entry too, so a released
 * call's event survives a power loss; the writer groups every append that arrived meanwhile into
 * one write and one sync. With {@code os} the bytes are only handed to the operating system,
 * which survives the gateway being killed ({@code kill -9}) but not the machine losing power.
 *
 * <p>Segments are named {@code audit-<number>.journal}; a new one starts at each open and once the
 * current one passes {@link #SEGMENT_BYTES}. Segments whose every event is in the database are
 * deleted. Written by the audit writer thread only; {@link #deleteBefore} from the indexer.
 */
public final class AuditJournal implements AutoCloseable {
    static final long SEGMENT_BYTES = 16L << 20;

    private static final Logger log = LoggerFactory.getLogger(AuditJournal.class);
    private static final Pattern SEGMENT = Pattern.compile("audit-(\\d{16})\\.journal");

    /** Opens the journal's files and its directory; tests give one that shows what reached the disk. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    private final Path directory;
    private final boolean sync;
    private final Opener opener;
    private FileChannel channel;
    private long segment;
    private long size;
    /** Set when a failed write could not be undone: appending more would put records after a torn one. */
    private volatile IOException broken;

    private AuditJournal(Path directory, long firstSegment, boolean sync, Opener opener) {
        this.directory = directory;
        this.segment = firstSegment - 1;
        this.sync = sync;
        this.opener = opener;
    }

    /**
     * Opens the journal in {@code directory} (created if missing) and starts a new segment after any
     * there; {@code sync}: force every append to the disk before it completes.
     */
    static AuditJournal open(Path directory, boolean sync) throws IOException {
        return open(directory, sync, FileChannel::open);
    }

    static AuditJournal open(Path directory, boolean sync, Opener opener) throws IOException {
        Files.createDirectories(directory);
        List<Long> existing = segments(directory);
        AuditJournal journal = new AuditJournal(directory, existing.isEmpty() ? 1 : existing.get(existing.size() - 1) + 1, sync,
                opener);
        journal.startSegment();
        return journal;
    }

    /**
     * Appends the records of {@code events} in one write and returns the number of the segment
     * that holds them. On failure the segment is cut back to where it was, so a later append never
     * follows a partial record; when even that fails the journal refuses every later append.
     */
    long append(List<ChainedEvent> events) throws IOException {
        if (broken != null) {
            throw new IOException("the audit journal in " + directory + " is unusable since an earlier write failed"
                    + " and could not be undone; restart the gateway once the disk is fixed", broken);
        }
        if (size >= SEGMENT_BYTES) {
            startSegment();
        }
        ByteBuffer records = JournalRecords.encode(events);
        try {
            while (records.hasRemaining()) {
                channel.write(records);
            }
            if (sync) {
                channel.force(false);
            }
        } catch (IOException failure) {
            undo(failure);
            throw failure;
        }
        size += records.limit();
        return segment;
    }

    /** Deletes every segment numbered below {@code segment}: all their events are in the database. */
    void deleteBefore(long segment) {
        List<Long> numbers;
        try {
            numbers = segments(directory);
        } catch (IOException e) {
            log.warn("Could not list the audit journal in {} to delete indexed segments (retried after the next index"
                    + " commit): {}", directory, e.toString());
            return;
        }
        for (long number : numbers) {
            if (number < segment) {
                delete(number);
            }
        }
    }

    /** Deletes every segment, the current one included; only once every event is in the database. */
    void deleteAll() {
        deleteBefore(Long.MAX_VALUE);
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("Closing audit journal segment {}: {}", file(segment), e.toString());
        }
    }

    /** The numbers of the segments in {@code directory}, oldest first. */
    static List<Long> segments(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Long> numbers = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(file -> {
                Matcher name = SEGMENT.matcher(file.getFileName().toString());
                if (name.matches()) {
                    numbers.add(Long.parseLong(name.group(1)));
                }
            });
        }
        numbers.sort(null);
        return numbers;
    }

    static Path file(Path directory, long segment) {
        return directory.resolve(String.format("audit-%016d.journal", segment));
    }

    private Path file(long number) {
        return file(directory, number);
    }

    private void startSegment() throws IOException {
        FileChannel next = opener.open(file(segment + 1), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (channel != null) {
            channel.close();
        }
        channel = next;
        segment++;
        size = 0;
        if (sync) {
            syncDirectory();
        }
    }

    /** Makes the new segment's directory entry durable: a synced file nobody can find is lost too. */
    private void syncDirectory() throws IOException {
        try (FileChannel entries = opener.open(directory, StandardOpenOption.READ)) {
            entries.force(true);
        }
    }

    private void undo(IOException failure) {
        try {
            channel.truncate(size);
            channel.position(size);
        } catch (IOException | RuntimeException undoFailure) {
            failure.addSuppressed(undoFailure);
            broken = failure;
        }
    }

    private void delete(long number) {
        try {
            Files.deleteIfExists(file(number));
        } catch (IOException e) {
            log.warn("Could not delete indexed audit journal segment {} (it is deleted at the next start): {}",
                    file(number), e.toString());
        }
    }
}
