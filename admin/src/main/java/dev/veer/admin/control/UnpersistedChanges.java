package dev.veer.admin.control;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the changes put in force although a write to the state directory failed: the analyzer's rollbacks and
 * verdicts, which the control plane does not refuse for a full or failing disk (see {@link ControlPlane}). Written
 * on the writer thread, read by {@code /metrics}.
 */
public final class UnpersistedChanges {

    private final AtomicLong stateNotSaved = new AtomicLong();
    private final AtomicLong auditNotWritten = new AtomicLong();

    /** Changes in force that state.json did not get when they were made (a later save writes them). */
    public long stateNotSaved() {
        return stateNotSaved.get();
    }

    /** Changes in force whose audit events could not be written, and are not in the audit log. */
    public long auditNotWritten() {
        return auditNotWritten.get();
    }

    void countStateNotSaved() {
        stateNotSaved.incrementAndGet();
    }

    void countAuditNotWritten() {
        auditNotWritten.incrementAndGet();
    }
}
