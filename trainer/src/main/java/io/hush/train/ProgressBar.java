package io.hush.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar redrawn with {@code \r} on a terminal: {@code label [=====     ]  50% 0:12 eta 0:12 note}.
 * Nothing is drawn for the first second (short work stays silent), then at most ten redraws a second, and
 * {@link #close()} erases it. Disabled (stderr or stdout not a terminal: a pipe, a log file, a test) it draws nothing
 * at all. The {@code hush} commands draw one per long job; {@link ProgressLog} one per training epoch.
 */
public final class ProgressBar implements AutoCloseable {
    private static final long DELAY_NS = 1_000_000_000L, REDRAW_NS = 100_000_000L;
    private static final int BAR = 30;

    private final PrintWriter out;
    private final String label;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long total;
    private long lastDraw;
    private boolean drawn;
    private int width;

    /** A bar for {@code total} units of work (at least 1) on {@code out}; draws only when {@code enabled}. */
    public ProgressBar(PrintWriter out, String label, long total, boolean enabled) {
        this.out = out;
        this.label = label;
        this.total = Math.max(total, 1);
        this.enabled = enabled;
    }

    /** Changes the total (work whose size is known only once it started). */
    public void total(long t) { total = Math.max(t, 1); }

    /** Reports {@code done} of the total; cheap to call often. */
    public void update(long done) {
        update(done, "");
    }

    /** Reports {@code done} of the total with a note after the times (a loss, a rate). */
    public void update(long done, String note) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (now - start < DELAY_NS || (drawn && now - lastDraw < REDRAW_NS && done < total)) return;
        lastDraw = now;
        drawn = true;
        double f = Math.min(1.0, done / (double) total);
        int fill = (int) Math.round(f * BAR);
        double elapsed = (now - start) / 1e9;
        String eta = done > 0 && f < 1 ? String.format(Locale.ROOT, " eta %s", time(elapsed / f - elapsed)) : "";
        String line = String.format(Locale.ROOT, "%s [%s%s] %3.0f%% %s%s%s", label, "=".repeat(fill),
                " ".repeat(BAR - fill), f * 100, time(elapsed), eta, note.isEmpty() ? "" : " " + note);
        int pad = Math.max(0, width - line.length());
        width = line.length();
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
    }

    /** Seconds as {@code m:ss} or {@code h:mm:ss}; {@code ?} when not finite. */
    static String time(double s) {
        if (!Double.isFinite(s)) return "?";
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }

    /** Erases the bar if it was drawn. */
    @Override
    public void close() {
        if (drawn) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.flush();
        }
    }
}
