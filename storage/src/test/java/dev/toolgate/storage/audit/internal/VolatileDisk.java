package dev.toolgate.storage.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Files as a disk with a page cache keeps them: written bytes are lost on a power loss unless the
 * file was forced afterwards, and a new file is lost unless its directory was forced after it was
 * created. The journal's files go through {@link #open}; {@link #afterPowerLoss} says what a
 * power loss right now would leave. {@code forceDelayMillis} makes each force as slow as a disk's.
 */
final class VolatileDisk implements AuditJournal.Opener {
    private final long forceDelayMillis;
    private final Map<Path, Long> forcedSizes = new HashMap<>();
    private final Set<Path> durableEntries = new HashSet<>();
    private final Set<Path> newEntries = new HashSet<>();
    private final AtomicInteger fileForces = new AtomicInteger();

    VolatileDisk(long forceDelayMillis) {
        this.forceDelayMillis = forceDelayMillis;
    }

    @Override
    public synchronized FileChannel open(Path path, OpenOption... options) throws IOException {
        FileChannel real = FileChannel.open(path, options);
        if (Files.isDirectory(path)) {
            return new Forced(real, () -> directoryForced(path));
        }
        if (Arrays.asList(options).contains(StandardOpenOption.CREATE_NEW)) {
            newEntries.add(path);
        } else {
            durableEntries.add(path);
        }
        return new Forced(real, () -> fileForced(path, real));
    }

    private synchronized void directoryForced(Path directory) {
        newEntries.removeIf(file -> {
            boolean inIt = file.getParent().equals(directory);
            if (inIt) {
                durableEntries.add(file);
            }
            return inIt;
        });
    }

    private void fileForced(Path file, FileChannel real) throws IOException {
        long size = real.size();
        sleep();
        synchronized (this) {
            forcedSizes.put(file, size);
        }
        fileForces.incrementAndGet();
    }

    /** How many times a file (not a directory) was forced. */
    int fileForces() {
        return fileForces.get();
    }

    /** Each file that would survive a power loss now, with the bytes that would. */
    synchronized Map<Path, byte[]> afterPowerLoss() throws IOException {
        Map<Path, byte[]> left = new HashMap<>();
        for (Path file : durableEntries) {
            if (Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                left.put(file, Arrays.copyOf(bytes, (int) Math.min(bytes.length, forcedSizes.getOrDefault(file, 0L))));
            }
        }
        return left;
    }

    private void sleep() {
        try {
            Thread.sleep(forceDelayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface OnForce {
        void run() throws IOException;
    }

    /** The real channel, reporting every force. */
    private static final class Forced extends FileChannel {
        private final FileChannel real;
        private final OnForce onForce;

        Forced(FileChannel real, OnForce onForce) {
            this.real = real;
            this.onForce = onForce;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
            onForce.run();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
