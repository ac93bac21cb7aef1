package dev.veer.admin.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.internal.Text;
import dev.veer.config.IoErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code state.json} in the state directory, written as: temp file, fsync, rename, fsync directory.
 *
 * <p>The file is a one-line header {@code {"format":1,"sha256":"…","bytes":N}} followed by the JSON body; the
 * checksum covers the body bytes exactly, so an edited or damaged file is detected. Before a good {@code state.json}
 * is replaced it is kept as {@code state.json.prev}.
 *
 * <p>The rename makes a torn {@code state.json} impossible, so a bad or missing one was damaged or deleted from
 * outside. Then {@code state.json.prev}, one change older, is restored loudly: an ERROR, the reasons in
 * {@link Loaded#problems()} for the audit log, unfinished rollouts held Paused ({@link RestoredRollouts}), and the
 * damaged file copied aside under a name of its own and never rotated into {@code .prev}. What cannot be restored
 * without guessing (both files unusable, a newer format, a file Veer cannot read) throws
 * {@link UnusableStateException} and changes nothing.
 *
 * <p>Only one process may use a directory: the caller holds the directory's {@link StateDirLock}.
 */
public final class FileStateStore implements StateStore {

    private static final Logger log = LoggerFactory.getLogger(FileStateStore.class);
    private static final int FORMAT = 1;
    /** Suffix of the copy of a damaged state.json; UTC, no colons so that every file system takes it. */
    private static final DateTimeFormatter ASIDE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final Path current;
    private final Path previous;
    /** Where the next state.json is written before the rename. */
    private final Path temp;
    /** Where state.json is linked or copied before it is renamed over state.json.prev. */
    private final Path previousTemp;
    private final InstantSource clock;
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** Whether {@code state.json} holds a verified document, i.e. may become {@code .prev}. */
    private boolean currentIsGood;
    /** The last save moved the document before it to state.json.prev: {@link #undoLastSave} moves it back. */
    private boolean lastSaveKeptPrevious;

    public FileStateStore(Path dir) {
        this(dir, InstantSource.system());
    }

    /** @param clock stamps the copy of a damaged file and freezes the timers of rollouts held on a restore */
    public FileStateStore(Path dir, InstantSource clock) {
        this.dir = dir.toAbsolutePath();
        this.current = this.dir.resolve("state.json");
        this.previous = this.dir.resolve("state.json.prev");
        this.temp = this.dir.resolve("state.json.tmp");
        this.previousTemp = this.dir.resolve("state.json.prev.tmp");
        this.clock = clock;
    }

    public Path file() {
        return current;
    }

    @Override
    public synchronized Loaded load() throws IOException {
        OwnerOnly.createDirectories(dir);
        removeLeftoverTempFiles();
        refuseDirectory(current);
        refuseDirectory(previous);
        Reading latest = read(current);
        currentIsGood = latest.doc() != null;
        if (latest.doc() != null) {
            return new Loaded(Optional.of(latest.doc()), List.of());
        }
        Reading older = read(previous);
        if (latest.missing() && older.missing()) {
            return new Loaded(Optional.empty(), List.of());
        }
        if (older.doc() == null) {
            throw new UnusableStateException("state dir " + dir + " has no usable state: " + current + ": "
                    + latest.describe() + "; " + previous + ": " + older.describe()
                    + " (expected: a state file written by Veer; to start from the config file and lose the runtime"
                    + " changes, move " + (latest.missing() ? "" : current + " and ") + previous + " aside)");
        }
        List<String> problems = new ArrayList<>();
        problems.add(current + ": " + (latest.missing() ? "missing while " + previous + " is there (deleted?)"
                : latest.problem()));
        if (!latest.missing()) {
            problems.add("kept the damaged file as " + copyAside());
        }
        RestoredRollouts.Held held = RestoredRollouts.hold(older.doc(), clock.millis());
        problems.add("restored the last good state from " + previous + " (revision " + older.doc().revision()
                + "): it is one change older than the lost state, see the audit log for the change it lacks");
        if (!held.services().isEmpty()) {
            problems.add("rollouts held Paused until resumed by hand: " + String.join(", ", held.services()));
        }
        problems.forEach(p -> log.error("state: {}", p));
        return new Loaded(Optional.of(held.doc()), problems);
    }

    /** A crash between writing a temp file and renaming it leaves it behind; the change was never acknowledged. */
    private void removeLeftoverTempFiles() throws IOException {
        for (Path leftover : List.of(temp, previousTemp)) {
            if (Files.deleteIfExists(leftover)) {
                log.info("state: removed {}, left by a write that was interrupted", leftover);
            }
        }
    }

    /** A directory cannot be read, copied aside or renamed over: no fallback would last past the next save. */
    private static void refuseDirectory(Path file) throws UnusableStateException {
        if (Files.isDirectory(file)) {
            throw new UnusableStateException(file + ": is a directory (expected: a state file written by Veer;"
                    + " move the directory aside)");
        }
    }

    /** Copies the damaged state.json aside under a name no later incident reuses; returns that name. */
    private Path copyAside() throws IOException {
        String base = "state.json.corrupt-" + ASIDE_STAMP.format(clock.instant());
        for (int n = 1; ; n++) {
            Path aside = dir.resolve(n == 1 ? base : base + "-" + n);
            try {
                Files.copy(current, aside, StandardCopyOption.COPY_ATTRIBUTES); // its mode too
                return aside;
            } catch (FileAlreadyExistsException e) {
                // Two incidents in one millisecond (or a clock set back): take the next name.
            }
        }
    }

    /** One state file: its document, or what is wrong with it, or neither when it does not exist. */
    private record Reading(StateDoc doc, String problem) {
        static final Reading MISSING = new Reading(null, null);

        boolean missing() {
            return doc == null && problem == null;
        }

        String describe() {
            return missing() ? "missing" : problem;
        }
    }

    private Reading read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Reading.MISSING;
        } catch (IOException e) {
            throw new UnusableStateException(file + ": cannot read it (" + IoErrors.problem(e)
                    + ") (expected: a state file Veer can read and replace)");
        }
        if (bytes.length == 0) {
            return new Reading(null, "corrupt (empty: 0 bytes)");
        }
        int newline = indexOf(bytes, (byte) '\n');
        if (newline < 0) {
            return new Reading(null, "corrupt (no header line; " + bytes.length + " bytes)");
        }
        try {
            JsonNode header = mapper.readTree(new String(bytes, 0, newline, StandardCharsets.UTF_8));
            byte[] body = Arrays.copyOfRange(bytes, newline + 1, bytes.length);
            JsonNode format = header.path("format");
            if (format.isIntegralNumber() && format.asLong() > FORMAT) {
                // After a downgrade: this Veer cannot know what the newer one stored, and must not replace it.
                throw new UnusableStateException(file + " was written by a newer Veer (format " + format.asLong()
                        + "; this one reads " + FORMAT + "): run that version again; the file is left as it is");
            }
            if (format.isMissingNode()) {
                // Another program's JSON (a hand-written or foreign file): "unknown format " with nothing after it.
                return new Reading(null, "corrupt (no format in its first line; expected: a state file written by"
                        + " Veer)");
            }
            if (!format.isIntegralNumber() || format.asLong() != FORMAT) {
                return new Reading(null, "corrupt (unknown format " + format + "; expected: " + FORMAT + ")");
            }
            if (header.path("bytes").asLong(-1) != body.length) {
                return new Reading(null, "corrupt (body is " + body.length + " bytes, header says "
                        + header.path("bytes").asText() + "; truncated?)");
            }
            if (!sha256(body).equals(header.path("sha256").asText())) {
                return new Reading(null, "corrupt (checksum mismatch)");
            }
            return new Reading(mapper.readValue(body, StateDoc.class), null);
        } catch (UnusableStateException e) {
            throw e;
        } catch (IOException e) {
            return new Reading(null, "corrupt (" + e.getClass().getSimpleName() + ": "
                    + Text.firstLine(e.getMessage()) + ")");
        }
    }

    @Override
    public synchronized void save(StateDoc doc) throws IOException {
        byte[] body = mapper.writeValueAsBytes(doc);
        String header = "{\"format\":" + FORMAT + ",\"sha256\":\"" + sha256(body) + "\",\"bytes\":" + body.length
                + "}\n";
        try (FileChannel ch = OwnerOnly.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(header.getBytes(StandardCharsets.UTF_8)));
            writeFully(ch, ByteBuffer.wrap(body));
            ch.force(true);
        }
        lastSaveKeptPrevious = currentIsGood;
        if (currentIsGood) {
            keepAsPrevious();
        }
        move(temp, current);
        fsyncDirectory();
        currentIsGood = true;
    }

    @Override
    public synchronized void undoLastSave() throws IOException {
        // A rename: atomic, and it needs no free space (the refusal may be a full disk).
        if (lastSaveKeptPrevious) {
            move(previous, current);
        } else {
            Files.deleteIfExists(current);
            currentIsGood = false;
        }
        lastSaveKeptPrevious = false;
        fsyncDirectory();
    }

    /** state.json becomes state.json.prev while state.json itself stays in place (hard link, then rename). */
    private void keepAsPrevious() throws IOException {
        Files.deleteIfExists(previousTemp);
        try {
            Files.createLink(previousTemp, current);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(current, previousTemp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            try (FileChannel ch = FileChannel.open(previousTemp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        move(previousTemp, previous);
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
