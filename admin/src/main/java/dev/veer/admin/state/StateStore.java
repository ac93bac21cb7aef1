package dev.veer.admin.state;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Where the runtime layer persists. Implementations make save atomic: after a crash load sees the old or the new. */
public interface StateStore {

    /**
     * The last good document, if any, and, when that is not the latest one written, what happened to the latest.
     *
     * @throws UnusableStateException when no document can be trusted and starting empty would lose changes
     */
    Loaded load() throws IOException;

    /** Durable when it returns. */
    void save(StateDoc doc) throws IOException;

    /**
     * Takes back the last {@link #save}, whose change was then refused (its audit event could not be written): the
     * document saved before it is the current one again, durably, and nothing of the refused one is kept, not even
     * as the previous document a damaged state would fall back to.
     */
    void undoLastSave() throws IOException;

    /**
     * @param doc      the document to start from; empty when nothing was ever saved
     * @param problems empty when {@code doc} is the latest saved; otherwise why the latest was lost and from where
     *                 {@code doc} was restored, one sentence each (logged, and audited as {@code state.restored})
     */
    record Loaded(Optional<StateDoc> doc, List<String> problems) {
        public Loaded {
            problems = List.copyOf(problems);
        }
    }
}
