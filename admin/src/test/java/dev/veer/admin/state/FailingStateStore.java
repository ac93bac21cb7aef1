package dev.veer.admin.state;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** The real file store, whose saves fail while {@link #failSaves} is set, as a full or broken disk's would. */
public final class FailingStateStore implements StateStore {

    /** When set, every save fails. */
    public final AtomicBoolean failSaves = new AtomicBoolean();
    private final FileStateStore files;

    public FailingStateStore(Path dir) {
        this.files = new FileStateStore(dir);
    }

    @Override
    public Loaded load() throws IOException {
        return files.load();
    }

    @Override
    public void save(StateDoc doc) throws IOException {
        if (failSaves.get()) {
            throw new IOException("No space left on device");
        }
        files.save(doc);
    }

    @Override
    public void undoLastSave() throws IOException {
        files.undoLastSave();
    }
}
