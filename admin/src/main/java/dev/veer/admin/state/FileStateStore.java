package dev.veer.admin.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.internal.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code state.json} in the state directory, written as: temp file, fsync, rename, fsync directory.
 *
 * <p>The file is a one-line header {@code {"format":1,"sha256":"…","bytes":N}} followed by the JSON body; the
 * checksum covers the body bytes exactly, so a torn or edited file is detected. Before a good {@code state.json}
 * is replaced it is kept as {@code state.json.prev}; a corrupt {@code state.json} is copied aside to
 * {@code state.json.corrupt} and never rotated into {@code .prev}, so the last good state survives.
 */
public final class FileStateStore implements StateStore {

    private static final Logger log = LoggerFactory.getLogger(FileStateStore.class);
    private static final int FORMAT = 1;

    private final Path dir;
    private final Path current;
    private final Path previous;
    private final Path temp;
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** Whether {@code state.json} holds a verified document, i.e. may become {@code .prev}. */
    private boolean currentIsGood;

    public FileStateStore(Path dir) {
        this.dir = dir.toAbsolutePath();
        this.current = this.dir.resolve("state.json");
        this.previous = this.dir.resolve("state.json.prev");
        this.temp = this.dir.resolve("state.json.tmp");
    }

    public Path file() {
        return current;
    }

    @Override
    public synchronized Loaded load() throws IOException {
        Files.createDirectories(dir);
        List<String> problems = new ArrayList<>();
        Optional<StateDoc> doc = read(current, problems);
        currentIsGood = doc.isPresent();
        if (doc.isPresent() || !Files.exists(current)) {
            if (doc.isEmpty() && Files.exists(previous)) {
                // A crash between rotating .prev and renaming the new file in: .prev is the last acknowledged state.
                doc = read(previous, problems);
            }
            return new Loaded(doc, problems);
        }
        Path aside = dir.resolve("state.json.corrupt");
        Files.copy(current, aside, StandardCopyOption.REPLACE_EXISTING);
        Optional<StateDoc> fallback = read(previous, problems);
        problems.add(fallback.isPresent()
                ? "kept the corrupt file as " + aside + " and restored the last good state from " + previous
                : "kept the corrupt file as " + aside + "; no good previous state, starting from the config file");
        problems.forEach(p -> log.error("state: {}", p));
        return new Loaded(fallback, problems);
    }

    private Optional<StateDoc> read(Path file, List<String> problems) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        int newline = indexOf(bytes, (byte) '\n');
        if (newline < 0) {
            problems.add(file + ": corrupt (no header line; " + bytes.length + " bytes)");
            return Optional.empty();
        }
        try {
            JsonNode header = mapper.readTree(new String(bytes, 0, newline, StandardCharsets.UTF_8));
            byte[] body = Arrays.copyOfRange(bytes, newline + 1, bytes.length);
            if (header.path("format").asInt() != FORMAT) {
                problems.add(file + ": unknown format " + header.path("format") + " (expected: " + FORMAT + ")");
                return Optional.empty();
            }
            if (header.path("bytes").asLong(-1) != body.length) {
                problems.add(file + ": corrupt (body is " + body.length + " bytes, header says "
                        + header.path("bytes").asText() + "; truncated?)");
                return Optional.empty();
            }
            if (!sha256(body).equals(header.path("sha256").asText())) {
                problems.add(file + ": corrupt (checksum mismatch)");
                return Optional.empty();
            }
            return Optional.of(mapper.readValue(body, StateDoc.class));
        } catch (IOException e) {
            problems.add(file + ": corrupt (" + e.getClass().getSimpleName() + ": "
                    + Text.firstLine(e.getMessage()) + ")");
            return Optional.empty();
        }
    }

    @Override
    public synchronized void save(StateDoc doc) throws IOException {
        byte[] body = mapper.writeValueAsBytes(doc);
        String header = "{\"format\":" + FORMAT + ",\"sha256\":\"" + sha256(body) + "\",\"bytes\":" + body.length
                + "}\n";
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(header.getBytes(StandardCharsets.UTF_8)));
            writeFully(ch, ByteBuffer.wrap(body));
            ch.force(true);
        }
        if (currentIsGood) {
            keepAsPrevious();
        }
        move(temp, current);
        fsyncDirectory();
        currentIsGood = true;
    }

    /** state.json becomes state.json.prev while state.json itself stays in place (hard link, then rename). */
    private void keepAsPrevious() throws IOException {
        Path link = dir.resolve("state.json.prev.tmp");
        Files.deleteIfExists(link);
        try {
            Files.createLink(link, current);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(current, link, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(link, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        move(link, previous);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void fsyncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename is still atomic there.
            log.debug("state: cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JRE", e);
        }
    }
}
