package io.warmpool.service;

import io.warmpool.metrics.ProfileExposition;
import io.warmpool.pool.profile.ProfileSnapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file {@code serve} keeps a pool's tenant profile in (Prometheus text, what
 * {@code warmpool tune --profile} reads), replaced whole each time: the text goes to a temporary
 * file beside it, is flushed to disk, and is renamed over the file, so that a reader finds the
 * previous profile or the next one, never a part of one.
 */
final class ProfileFile {
    private final Path file;

    ProfileFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The file written. */
    Path path() {
        return file;
    }

    /**
     * Writes {@code profile} over the file, creating its directory when it does not exist.
     *
     * @throws IOException naming the file, when the directory cannot be made or written to
     */
    void write(ProfileSnapshot profile) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer text = StandardCharsets.UTF_8.encode(ProfileExposition.write(profile));
                while (text.hasRemaining()) {
                    channel.write(text);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
